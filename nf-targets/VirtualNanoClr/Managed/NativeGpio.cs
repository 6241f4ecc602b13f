using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native GPIO (implemented in Native/corefw_hal.cpp). Edges arrive as nanoCLR events.</summary>
    internal static class NativeGpio
    {
        /// <summary>Sets a pin's mode (the values of <c>PinMode</c>).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void SetMode(int pin, int mode);

        /// <summary>Reads a pin's level: 0 or 1.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Read(int pin);

        /// <summary>Drives an output pin: 0 or 1.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Write(int pin, int value);

        /// <summary>Starts (true) or stops reporting the pin's edges.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void WatchEdges(int pin, bool watch);

        /// <summary>
        /// Takes the oldest reported edge, waiting up to <paramref name="timeoutMilliseconds"/> for one
        /// without holding the interpreter (the thread sleeps on a nanoCLR event that the native side
        /// raises when an edge is queued). Returns pin * 2 + 1 for a rising edge, pin * 2 for a falling
        /// one, or -1 when the time ran out.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int WaitForEdge(int timeoutMilliseconds);

        /// <summary>Edges dropped because the native queue was full (it holds 256).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int DroppedEdges();
    }
}
