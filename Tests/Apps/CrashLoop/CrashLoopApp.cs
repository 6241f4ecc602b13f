using System;
using CoreFirmware.Application.App;

namespace CoreFirmware.TestApps.CrashLoop
{
    /// <summary>Crashes on every boot shortly after it starts: a fault the watchdog turns into a reset, so its test boot ends in a rollback.</summary>
    public sealed class CrashLoopApp : IUserApp
    {
        private int _loops;

        /// <inheritdoc />
        public void Setup(UserAppContext context)
        {
            context.Serial1.PrintLine("crash-loop: up");
        }

        /// <inheritdoc />
        public void Loop()
        {
            System.Threading.Thread.Sleep(10);
            if (++_loops == 5) throw new InvalidOperationException("crash-loop: deliberate crash");
        }
    }
}
