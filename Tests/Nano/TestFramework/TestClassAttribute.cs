using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>Marks a class whose <see cref="TestMethodAttribute"/> methods the <see cref="TestRunner"/> runs.</summary>
    /// <remarks>The class needs a public parameterless constructor; the runner makes a new instance for every test method.</remarks>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class TestClassAttribute : Attribute
    {
    }
}
