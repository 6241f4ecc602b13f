using System;

namespace CoreFirmware.Drivers.Diagnostics
{
    /// <summary>Told of each fault a <see cref="ThreadFaultLog"/> records.</summary>
    public interface IThreadFaultListener
    {
        /// <summary>
        /// <paramref name="exception"/> reached the top of the firmware thread <paramref name="thread"/>,
        /// which has ended. Called on that thread; must not throw and must return promptly.
        /// </summary>
        void OnThreadFault(string thread, Exception exception);
    }
}
