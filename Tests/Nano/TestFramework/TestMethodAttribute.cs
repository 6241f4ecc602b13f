using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>Marks a public, parameterless, void method of a <see cref="TestClassAttribute"/> class as one test.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestMethodAttribute : Attribute
    {
    }
}
