namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// Lets the socket broker take sockets away from user code at once: after
    /// <see cref="Abort"/>, a call blocked on the socket returns the given reason within a few
    /// milliseconds, every later call on it returns that reason too, and the network stack closes
    /// the socket on the module by itself (the handle is freed when the user calls Close, or when
    /// the stack reclaims it). Implemented by the CC3000 socket views.
    /// </summary>
    public interface ISocketAborter
    {
        /// <summary>Aborts <paramref name="socket"/> with <paramref name="reason"/>; a handle that is not open is ignored.</summary>
        void Abort(int socket, SocketError reason);
    }
}
