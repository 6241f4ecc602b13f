using System;

namespace CoreFirmware.Application.App
{
    /// <summary>
    /// Called on the user thread when the app let an exception escape <see cref="IUserApp.Setup"/> or
    /// <see cref="IUserApp.Loop"/> (a user-app fault). The board hands it to the system runtime, which
    /// shows red SOS and lets the hardware watchdog reset the board.
    /// </summary>
    /// <param name="thread">The user thread that faulted (it has ended).</param>
    /// <param name="fault">What the app threw.</param>
    public delegate void UserFaultHandler(UserThread thread, Exception fault);
}
