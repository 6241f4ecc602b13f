using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Runtime;

namespace CoreFirmware.Virtual.NegativeRuns;

/// <summary>
/// The OTA service's preemption replaced by nothing: an update never takes user networking away (no
/// pending flag, no aborts, no refusals, no latency sample). Host-only: it exists for the negative run
/// that shows what an update meets without preemption (<see cref="Runner.VirtualCoreOptions.PreemptionEnabled"/>
/// false), wired through the firmware's seam <see cref="SystemParts.UserPreemptionProvider"/>. The
/// firmware has no way to switch preemption off.
/// </summary>
public sealed class NoUserPreemption : IUserPreemptionProvider, IUserNetworkPreemption
{
    /// <summary>The one instance (it holds no state).</summary>
    public static readonly NoUserPreemption Instance = new();

    private NoUserPreemption()
    {
    }

    /// <inheritdoc />
    public IUserNetworkPreemption For(SocketBroker broker) => this;

    /// <inheritdoc />
    public void BeginPreemption()
    {
    }

    /// <inheritdoc />
    public bool WaitQuiet(int timeoutMilliseconds) => true;

    /// <inheritdoc />
    public void EndPreemption()
    {
    }
}
