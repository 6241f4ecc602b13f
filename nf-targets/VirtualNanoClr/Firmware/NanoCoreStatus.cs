using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Runtime;

namespace CoreFirmware.VirtualNanoClr.Firmware
{
    /// <summary>
    /// The counters the host's scenario reads from the firmware on nanoCLR (it cannot reach into the
    /// interpreter's objects as the CoreCLR runner does): one int[] filled in place and handed to the board
    /// (<see cref="NanoMcu.ReportStatus"/>) by the firmware's main thread. Nothing is allocated per report.
    /// The indexes are a contract with the host's NanoCoreStatus.
    /// </summary>
    internal sealed class NanoCoreStatus
    {
        public const int CloudConnected = 0;
        public const int CloudSessions = 1;
        public const int CloudConnectAttempts = 2;
        public const int Preemptions = 3;
        public const int LastPreemptionTicks = 4;
        public const int UpdatesPending = 5;
        public const int ChunksReceived = 6;
        public const int ModuleRecoveries = 7;
        public const int AppCompleted = 8;
        public const int AppRequests = 9;
        public const int AppFailures = 10;
        public const int UserLoops = 11;
        public const int LongestBusHoldTicks = 12;
        public const int BusHoldOverruns = 13;
        public const int AppInLoop = 14;
        public const int LongestCheckinGapMs = 15;
        public const int LongestSessionStartMs = 16;
        public const int LongestPingRoundTripMs = 17;
        public const int Count = 18;

        private readonly int[] _values = new int[Count];
        private readonly SystemRuntime _runtime;
        private readonly Cc3000Driver _cc3000;
        private readonly SpiBusArbiter _arbiter;
        private UserThread _user;
        private IAppCounters _app;
        private NanoAppGate _gate;

        public NanoCoreStatus(SystemRuntime runtime, Cc3000Driver cc3000, SpiBusArbiter arbiter)
        {
            _runtime = runtime;
            _cc3000 = cc3000;
            _arbiter = arbiter;
        }

        /// <summary>The user thread, app and its gate of this boot (null in safe mode).</summary>
        public void SetApp(UserThread user, IUserApp app, NanoAppGate gate)
        {
            _user = user;
            _app = app as IAppCounters;
            _gate = gate;
        }

        /// <summary>Fills the counters and reports them.</summary>
        public void Report()
        {
            int[] v = _values;
            v[CloudConnected] = _runtime.Cloud != null && _runtime.Cloud.IsConnected ? 1 : 0;
            v[CloudSessions] = _runtime.Cloud != null ? _runtime.Cloud.Sessions : 0;
            v[CloudConnectAttempts] = _runtime.Cloud != null ? _runtime.Cloud.ConnectAttempts : 0;
            v[Preemptions] = _runtime.Broker.Preemptions;
            v[LastPreemptionTicks] = Clamp(_runtime.Broker.LastLatencyTicks);
            v[UpdatesPending] = _runtime.Broker.UpdatesPending ? 1 : 0;
            v[ChunksReceived] = _runtime.Ota != null ? _runtime.Ota.ChunksReceived : 0;
            v[ModuleRecoveries] = _cc3000.Recoveries;
            v[AppCompleted] = _app != null ? _app.Completed : 0;
            v[AppRequests] = _app != null ? _app.Requests : 0;
            v[AppFailures] = _app != null ? _app.Failures : 0;
            v[UserLoops] = _user != null ? _user.Loops : 0;
            v[LongestBusHoldTicks] = Clamp(_arbiter.LongestHoldTicks);
            v[BusHoldOverruns] = _arbiter.HoldOverruns;
            v[AppInLoop] = _gate != null ? _gate.InLoop : 0;
            v[LongestCheckinGapMs] = _runtime.Watchdog != null ? _runtime.Watchdog.LongestCheckinGapMilliseconds : 0;
            v[LongestSessionStartMs] = _runtime.Cloud != null ? _runtime.Cloud.LongestSessionStartMilliseconds : 0;
            v[LongestPingRoundTripMs] = _runtime.Cloud != null ? _runtime.Cloud.LongestPingRoundTripMilliseconds : 0;
            NanoMcu.ReportStatus(v, Count);
        }

        private static int Clamp(long value)
        {
            return value > int.MaxValue ? int.MaxValue : (int)value;
        }
    }
}
