using System;
using System.Threading;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// Delivers GPIO edges to managed code. The native side queues each edge the board reports and
    /// raises a nanoCLR event; this class's thread sleeps in <see cref="NativeGpio.WaitForEdge"/>
    /// (a nanoCLR event wait: no polling, other threads run meanwhile) and raises the pin's
    /// <see cref="NanoGpioPin.ValueChanged"/> for each edge, in order. The thread runs while at least
    /// one pin is watched and ends within <see cref="IdleWaitMilliseconds"/> after the last one stops,
    /// so a program without watched pins can end.
    /// </summary>
    /// <remarks>The thread runs at the highest priority: an edge handler plays an interrupt handler's
    /// part (it must only signal, as the HAL contract says).</remarks>
    public static class GpioEdgeDispatcher
    {
        /// <summary>Pin numbers are below this (eight ports of 16 pins).</summary>
        public const int MaxPins = 128;

        /// <summary>The longest single wait for an edge; bounds how long the thread outlives the last watched pin.</summary>
        public const int IdleWaitMilliseconds = 500;

        private static readonly object Sync = new object();
        private static readonly NanoGpioPin[] Watched = new NanoGpioPin[MaxPins];
        private static int _watchCount;
        private static Thread _thread;
        private static int _handlerFaults;
        private static int _edgesDelivered;

        /// <summary>Edges whose handler threw (the exception is dropped: a handler must only signal).</summary>
        public static int HandlerFaults
        {
            get { return _handlerFaults; }
        }

        /// <summary>Edges delivered to a handler since start-up.</summary>
        public static int EdgesDelivered
        {
            get { return _edgesDelivered; }
        }

        /// <summary>Edges the native queue dropped because it was full.</summary>
        public static int DroppedEdges
        {
            get { return NativeGpio.DroppedEdges(); }
        }

        internal static void Watch(NanoGpioPin pin)
        {
            int n = pin.PinNumber;
            lock (Sync)
            {
                NanoGpioPin current = Watched[n];
                if (current != null && current != pin)
                    throw new InvalidOperationException("another NanoGpioPin already watches this pin's edges");
                if (current == null)
                {
                    NativeGpio.WatchEdges(n, true);
                    Watched[n] = pin;
                    _watchCount++;
                }
                if (_thread == null)
                {
                    _thread = new Thread(Run);
                    _thread.Priority = ThreadPriority.Highest;
                    _thread.Start();
                }
            }
        }

        internal static void Unwatch(NanoGpioPin pin)
        {
            int n = pin.PinNumber;
            lock (Sync)
            {
                if (Watched[n] != pin) return;
                Watched[n] = null;
                _watchCount--;
                NativeGpio.WatchEdges(n, false);
            }
        }

        private static void Run()
        {
            while (true)
            {
                int edge = NativeGpio.WaitForEdge(IdleWaitMilliseconds);
                NanoGpioPin pin;
                lock (Sync)
                {
                    if (edge < 0)
                    {
                        if (_watchCount > 0) continue;
                        _thread = null;
                        return;
                    }
                    int n = edge >> 1;
                    pin = n < MaxPins ? Watched[n] : null;
                }
                if (pin == null) continue;
                _edgesDelivered++;
                Deliver(pin, (edge & 1) != 0);
            }
        }

        private static void Deliver(NanoGpioPin pin, bool rising)
        {
            try
            {
                pin.RaiseEdge(rising);
            }
            catch (Exception)
            {
                _handlerFaults++;
            }
        }
    }
}
