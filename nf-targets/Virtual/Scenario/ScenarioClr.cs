namespace CoreFirmware.Virtual.Scenario;

/// <summary>Which CLR runs the virtual Core's firmware in a scenario (<c>--clr coreclr|nano</c>).</summary>
public enum ScenarioClr
{
    /// <summary>CoreCLR's JIT, in the host process (the runner's VirtualCore).</summary>
    CoreClr,

    /// <summary>nanoCLR, the interpreter, over the native HAL bridge (nf-targets/VirtualNanoClr).</summary>
    Nano,
}
