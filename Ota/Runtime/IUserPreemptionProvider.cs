using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Ota.Runtime
{
    /// <summary>
    /// How the OTA service reaches user networking, as the board wires it (<see cref="SystemParts.UserPreemptionProvider"/>):
    /// given the runtime's <see cref="SocketBroker"/>, the <see cref="IUserNetworkPreemption"/> the OTA
    /// service uses. A device leaves it unset and the OTA service uses the broker itself; host boards may
    /// put something in between (for example to observe the preemption, or a test run's replacement).
    /// </summary>
    public interface IUserPreemptionProvider
    {
        /// <summary>The preemption the OTA service uses for this boot; <paramref name="broker"/> is the user sockets' broker.</summary>
        IUserNetworkPreemption For(SocketBroker broker);
    }
}
