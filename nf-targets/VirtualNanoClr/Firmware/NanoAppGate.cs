using System.Threading;
using CoreFirmware.Application.App;

namespace CoreFirmware.VirtualNanoClr.Firmware
{
    /// <summary>
    /// Lets the host's scenario pause the user app for an idle OTA on nanoCLR (what its AppGate does to the
    /// app on CoreCLR): the app's Loop is skipped, with a short sleep instead, while the board's
    /// <see cref="NanoBoardSettings.AppPaused"/> setting reads 1. One native call per Loop. Whether a Loop is
    /// under way goes out with the status (<see cref="InLoop"/>).
    /// </summary>
    internal sealed class NanoAppGate : IUserApp
    {
        private const int PausedSleepMilliseconds = 20;

        private readonly IUserApp _inner;
        private int _inLoop;

        public NanoAppGate(IUserApp inner)
        {
            _inner = inner;
        }

        /// <summary>1 while the app's Loop runs (a request may be in flight), else 0.</summary>
        public int InLoop
        {
            get { return _inLoop; }
        }

        public void Setup(UserAppContext context)
        {
            _inner.Setup(context);
        }

        public void Loop()
        {
            if (NanoBoardSettings.ReadAppPaused())
            {
                Thread.Sleep(PausedSleepMilliseconds);
                return;
            }
            _inLoop = 1;
            try
            {
                _inner.Loop();
            }
            finally
            {
                _inLoop = 0;
            }
        }
    }
}
