using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>Thrown by <see cref="Assert"/> when a check fails; the runner reports its message.</summary>
    public sealed class AssertFailedException : Exception
    {
        /// <summary>Creates the exception with what was expected and what was found.</summary>
        public AssertFailedException(string message) : base(message)
        {
        }
    }
}
