using CoreFirmware.Application.App;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// Lets the scenario pause the user app for an idle OTA: the app of every boot is wrapped in a
/// <see cref="GatedApp"/> that skips its Loop (sleeping briefly instead) while <see cref="Paused"/>.
/// </summary>
public sealed class AppGate
{
    private int _paused;
    private int _inLoop;

    public bool Paused
    {
        get => Interlocked.CompareExchange(ref _paused, 0, 0) != 0;
        set => Interlocked.Exchange(ref _paused, value ? 1 : 0);
    }

    /// <summary>True while a wrapped app is inside its Loop (a request may be in flight).</summary>
    public bool InLoop => Interlocked.CompareExchange(ref _inLoop, 0, 0) != 0;

    public IUserApp Wrap(IUserApp app) => new GatedApp(app, this);

    /// <summary>The wrapper: the real app's Setup, and its Loop unless paused.</summary>
    private sealed class GatedApp(IUserApp inner, AppGate gate) : IUserApp, IGatedApp
    {
        public IUserApp Inner => inner;

        public void Setup(UserAppContext context) => inner.Setup(context);

        public void Loop()
        {
            if (gate.Paused)
            {
                Thread.Sleep(20);
                return;
            }
            Interlocked.Exchange(ref gate._inLoop, 1);
            try
            {
                inner.Loop();
            }
            finally
            {
                Interlocked.Exchange(ref gate._inLoop, 0);
            }
        }
    }
}

/// <summary>An app wrapped by an <see cref="AppGate"/>.</summary>
public interface IGatedApp
{
    IUserApp Inner { get; }
}
