namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The hook for <see cref="FaultKind.PowerCutDuringInstall"/>: the scenario calls <see cref="Arm"/>
/// just before it flashes the image of such a cycle, and the hook arranges for the power to fail
/// while the bootloader copies that image into the application slot (for example
/// Sst25Model.CutPowerAtOperation at an operation of the install, then power the board up again).
/// The cycle then expects the device back on a valid image: the new one (install resumed) or the
/// old one (rolled back). Not connected in this build: the bootloader that installs comes with issue 5.
/// </summary>
public interface IPowerCutFault
{
    /// <summary>Arms the cut for the next install on <paramref name="board"/>; <paramref name="random"/> picks where.</summary>
    void Arm(VirtualBoard board, Random random);

    /// <summary>Disarms whatever <see cref="Arm"/> left armed (the update did not reach the install).</summary>
    void Disarm(VirtualBoard board);

    /// <summary>Power cuts that happened so far.</summary>
    int Cuts { get; }
}
