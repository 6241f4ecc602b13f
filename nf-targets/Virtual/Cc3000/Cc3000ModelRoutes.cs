namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// Where the module's connects go on the virtual internet: every address is carried to 127.0.0.1,
/// on the same port unless a forward names another (<see cref="Cc3000Model.ForwardPort"/>); a
/// black-holed address never answers (<see cref="Cc3000Model.AddBlackHole"/>). Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelRoutes
{
    private readonly Dictionary<ulong, int> _forwards = new();
    private readonly HashSet<uint> _blackHoles = new();

    public void ForwardLocked(uint ipv4, int port, int hostPort) => _forwards[Key(ipv4, port)] = hostPort;

    public void AddBlackHoleLocked(uint ipv4) => _blackHoles.Add(ipv4);

    public bool IsBlackHoleLocked(uint ipv4) => _blackHoles.Contains(ipv4);

    /// <summary>The local port a connect to <paramref name="ipv4"/>:<paramref name="port"/> goes to.</summary>
    public int LocalPortLocked(uint ipv4, int port) => _forwards.TryGetValue(Key(ipv4, port), out int hostPort) ? hostPort : port;

    private static ulong Key(uint ipv4, int port) => ((ulong)ipv4 << 16) | (uint)port;
}
