using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The CC3000's sockets seen by one kind of caller: every bus request made for its calls uses
    /// the view's <see cref="BusPriority"/>. Handles are shared by all views of one driver.
    /// A handle must not be used by two threads at once, except for <see cref="Abort"/>, which any
    /// thread may call at any time.
    /// </summary>
    public sealed class Cc3000SocketView : INetworkSockets, ISocketAborter
    {
        private readonly Cc3000SocketLayer _layer;
        private readonly BusPriority _priority;

        internal Cc3000SocketView(Cc3000SocketLayer layer, BusPriority priority)
        {
            _layer = layer;
            _priority = priority;
        }

        /// <summary>The bus priority of this view's writes.</summary>
        public BusPriority Priority
        {
            get { return _priority; }
        }

        /// <inheritdoc />
        public int Open(int timeoutMilliseconds)
        {
            return _layer.Open(_priority, timeoutMilliseconds);
        }

        /// <inheritdoc />
        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            return _layer.Connect(_priority, socket, ipv4, port, timeoutMilliseconds);
        }

        /// <inheritdoc />
        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            return _layer.Send(_priority, socket, buffer, offset, count, timeoutMilliseconds);
        }

        /// <inheritdoc />
        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            return _layer.Receive(_priority, socket, buffer, offset, count, timeoutMilliseconds);
        }

        /// <inheritdoc />
        public int Close(int socket)
        {
            return _layer.Close(_priority, socket);
        }

        /// <summary>
        /// Aborts <paramref name="socket"/> (any view's handle) with <paramref name="reason"/>, which
        /// must be negative: a call blocked on it returns the reason within one poll slice (a module
        /// command already written is let finish first), every later call but Close returns it,
        /// and the driver closes the socket on the module by itself. Close frees the handle.
        /// Never waits and allocates nothing; a handle that is not open is ignored.
        /// </summary>
        /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="reason"/> is not negative.</exception>
        public void Abort(int socket, SocketError reason)
        {
            _layer.Abort(socket, reason);
        }

        /// <inheritdoc />
        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            return _layer.ResolveHost(_priority, hostName, out ipv4, timeoutMilliseconds);
        }
    }
}
