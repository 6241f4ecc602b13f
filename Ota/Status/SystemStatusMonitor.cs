using System;
using System.Threading;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Update;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Ota.Status
{
    /// <summary>
    /// Keeps the status LED saying what the system is doing, as the Spark Core did: flashing
    /// magenta while an update is received, breathing cyan while the cloud is connected, flashing
    /// cyan while connecting to the cloud, flashing green while the WiFi network is down, and
    /// breathing magenta instead of the connection patterns in safe mode, and red SOS for good once
    /// a fault was reported (<see cref="ShowFault"/>; only a reset ends it). It looks
    /// every <see cref="PeriodMilliseconds"/> from its own thread and only changes the pattern.
    /// </summary>
    public sealed class SystemStatusMonitor
    {
        /// <summary>How often the state is looked at: fast enough that a person sees no lag.</summary>
        public const int PeriodMilliseconds = 100;

        private readonly StatusLed _led;
        private readonly IWifiModule _wifi;
        private readonly CloudLink _cloud;
        private readonly OtaService _ota;
        private readonly bool _safeMode;
        private readonly ManualResetEvent _stop = new ManualResetEvent(false);
        private readonly ManualResetEvent _stopped = new ManualResetEvent(false);
        private Thread _thread;
        private int _faultCode; // 0: no fault; written with Interlocked (any thread)

        /// <summary>Creates the monitor; nothing runs until <see cref="Start"/>.</summary>
        public SystemStatusMonitor(StatusLed led, IWifiModule wifi, CloudLink cloud, OtaService ota, bool safeMode)
        {
            if (led == null) throw new ArgumentNullException("led");
            if (wifi == null) throw new ArgumentNullException("wifi");
            if (cloud == null) throw new ArgumentNullException("cloud");
            if (ota == null) throw new ArgumentNullException("ota");
            _led = led;
            _wifi = wifi;
            _cloud = cloud;
            _ota = ota;
            _safeMode = safeMode;
        }

        /// <summary>The pattern the system state calls for now.</summary>
        public StatusPattern CurrentPattern()
        {
            if (Interlocked.CompareExchange(ref _faultCode, 0, 0) != 0) return StatusPattern.Sos;
            if (_ota.State == OtaState.Receiving || _ota.State == OtaState.RebootPending) return StatusPattern.FlashingMagenta;
            if (_safeMode) return StatusPattern.BreathingMagenta;
            if (_cloud.IsConnected) return StatusPattern.BreathingCyan;
            if (_wifi.IsNetworkUp) return StatusPattern.FlashingCyan;
            return StatusPattern.FlashingGreen;
        }

        /// <summary>
        /// A fault: red SOS followed by <paramref name="code"/> blinks from now until the board resets
        /// (the first fault's code stays). Any thread, allocation-free.
        /// </summary>
        /// <param name="code">The fault code (1 hard fault, 8 out of heap; clamped by the LED driver).</param>
        public void ShowFault(int code)
        {
            if (code < 1) code = 1;
            if (Interlocked.CompareExchange(ref _faultCode, code, 0) == 0) _led.Sos(code);
        }

        /// <summary>The SOS code shown since a fault, or 0.</summary>
        public int FaultCode
        {
            get { return Interlocked.CompareExchange(ref _faultCode, 0, 0); }
        }

        /// <summary>Starts watching.</summary>
        public void Start()
        {
            if (_thread != null) throw new InvalidOperationException("the status monitor was already started");
            _thread = _guard.NewThread(Run);
            _thread.Start();
        }

        /// <summary>Stops watching within <paramref name="timeoutMilliseconds"/>; true when it stopped.</summary>
        public bool Stop(int timeoutMilliseconds)
        {
            _stop.Set();
            if (_thread == null) return true;
            return _stopped.WaitOne(timeoutMilliseconds, false);
        }

        private readonly ThreadGuard _guard = new ThreadGuard("status monitor");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void Run()
        {
            try
            {
                while (!_stop.WaitOne(0, false))
                {
                    StatusPattern wanted = CurrentPattern();
                    if (wanted == StatusPattern.Sos)
                    {
                        _led.Sos(FaultCode);
                    }
                    else if (_led.Pattern != wanted)
                    {
                        _led.SetPattern(wanted);
                    }
                    _stop.WaitOne(PeriodMilliseconds, false);
                }
            }
            finally
            {
                _stopped.Set();
            }
        }
    }
}
