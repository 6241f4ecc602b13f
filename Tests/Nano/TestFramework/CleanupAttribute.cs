using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>
    /// Marks a method that runs after each test method of its class (whether the test passed or not),
    /// on the test's own instance. A cleanup that throws fails a test that had passed.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class CleanupAttribute : Attribute
    {
    }
}
