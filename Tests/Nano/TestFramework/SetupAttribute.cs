using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>
    /// Marks a method that runs before each test method of its class, on the test's own instance.
    /// A setup that throws fails that test, and the test method does not run.
    /// </summary>
    /// <remarks>nanoFramework.TestFramework runs its Setup once per class; here it runs per test, so
    /// no test sees the state another left.</remarks>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SetupAttribute : Attribute
    {
    }
}
