using System.Security.Cryptography;
using System.Text;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Tests.Boot;

/// <summary>The events of the state table (Ota/Boot/BOOT-DESIGN.md) the model checker drives.</summary>
internal enum ModelEvent
{
    /// <summary>A whole OTA of the next newer image (UpdateBegin, chunks, UpdateDone).</summary>
    OtaNext,
    /// <summary>UpdateBegin and every chunk of the next newer image; UpdateDone comes later (<see cref="OtaFinish"/>).</summary>
    OtaBeginNext,
    /// <summary>The UpdateDone of the transfer in flight.</summary>
    OtaFinish,
    /// <summary>A whole OTA of the oldest image (1.0.0), validly signed: a rollback attack once the counter passed it.</summary>
    OtaOld,
    /// <summary>A whole OTA of the running version without the re-install flag: a replay.</summary>
    OtaSame,
    /// <summary>A whole OTA of the running version with the re-install flag.</summary>
    OtaReinstall,
    /// <summary>The app confirms itself (DeploymentControl.ConfirmDeploymentImage).</summary>
    Confirm,
    /// <summary>The app asks for a revert (DeploymentControl.RequestDeploymentRevert).</summary>
    Revert,
    /// <summary>A reset: the bootloader runs.</summary>
    Reset,
    /// <summary>A watchdog reset: the bootloader runs and sees the watchdog flag.</summary>
    WatchdogReset,
    /// <summary>A reset whose bootloader loses power inside its third write to the application slot (a
    /// failed install or rollback); nothing runs until the next reset.</summary>
    ResetCutMidCopy,
    /// <summary>One bit of the staged image flips (the staged image will be refused).</summary>
    CorruptStaging,
    /// <summary>One bit of the application slot flips (bit rot: the next boot must restore an image).</summary>
    RotApp,
}

/// <summary>Where the board is between events.</summary>
internal enum ModelPhase
{
    /// <summary>The application runs (test boot or not).</summary>
    Running,
    /// <summary>Safe mode: the system runs (OTA possible), the app does not.</summary>
    SafeMode,
    /// <summary>The power went in the middle of a boot: nothing runs until a reset.</summary>
    Off,
}

/// <summary>
/// What the model knows that the board does not (the "ghost" state the invariants are stated over):
/// which images were ever confirmed, the last one confirmed (-1 when a fault destroyed its every
/// copy), the highest security counter seen, and whether the image now in the application slot was
/// confirmed since it was put there (a re-install of a confirmed version is a new test).
/// </summary>
internal sealed record ModelGhost(int ConfirmedMask, int LastConfirmed, uint CounterSeen, bool AppConfirmed)
{
    public bool IsConfirmed(int image) => image >= 0 && (ConfirmedMask & (1 << image)) != 0;

    public ModelGhost WithConfirmed(int image) => this with { ConfirmedMask = ConfirmedMask | (1 << image), LastConfirmed = image, AppConfirmed = true };
}

/// <summary>
/// One explored state: enough to go back to it (the flash as the last boot left it, that boot's
/// decision, the runtime events since) and its key (the board's abstract state: decoded boot state,
/// slot contents, runtime objects' state, ghost).
/// </summary>
internal sealed record ModelNode(ModelSnapshot BootSnapshot, BootDecision Decision, ModelPhase Phase, ModelEvent[] SinceBoot,
    ModelGhost Ghost, string Key, ModelEvent[] Path);

/// <summary>The flash regions the model's board uses, saved byte for byte.</summary>
internal sealed record ModelSnapshot(byte[] BootState, byte[] Staging, byte[] Backup, byte[] Factory, byte[] App);

/// <summary>An invariant did not hold after a step of a sequence.</summary>
internal sealed class ModelViolation : Exception
{
    public ModelViolation(string message) : base(message) { }
}

/// <summary>
/// The boot-state machine over the real <see cref="Bootloader"/>, <see cref="BootStateStore"/>,
/// <see cref="BootStateRecord"/>, <see cref="DeploymentControl"/> and <see cref="OtaService"/> on the
/// SST25 model and the virtual internal flash (<see cref="BootRig"/>), explored breadth first: every
/// sequence of up to N events, states with equal keys merged (their futures are the same), the
/// invariants of BOOT-DESIGN.md checked after every step.
/// </summary>
internal sealed class BootStateModel : IDisposable
{
    /// <summary>Bytes of each slot the model's images can touch (one erase sector; the images are smaller).</summary>
    public const int Window = 4096;

    /// <summary>Payload of each catalogue image: small, so a transfer is a few chunks.</summary>
    public const int PayloadBytes = 64;

    private static readonly ModelEvent[] AllEvents = Enum.GetValues<ModelEvent>();

    private readonly BootRig _rig;
    private readonly byte[][] _catalogue;
    private readonly uint[] _versions;
    private readonly Dictionary<string, int> _catalogueByHash = new();
    private readonly Dictionary<string, (bool Ok, uint Version)> _verdicts = new();
    private readonly bool _factoryImage;

    // The live board's shadow.
    private ModelPhase _phase;
    private ModelGhost _ghost = new(0, -1, 0, false);

    /// <param name="catalogue">Images 1.0.0, 1.1.0, 1.2.0 ... in order (index i is version 1.i.0).</param>
    /// <param name="start">"factory": 1.0.0 running and confirmed, the same in the factory slot;
    /// "no factory": 1.0.0 running and confirmed, no factory image; "nothing": an empty board (safe mode).</param>
    public BootStateModel(byte[][] catalogue, string start, bool testBootEnabled = true)
    {
        _catalogue = catalogue;
        _versions = new uint[catalogue.Length];
        var header = new ImageHeader();
        for (int i = 0; i < catalogue.Length; i++)
        {
            header.Read(catalogue[i], 0);
            _versions[i] = PackedImageVersion.Of(header);
            _catalogueByHash[Hash(Padded(catalogue[i]))] = i;
        }

        _rig = new BootRig(internalFlashBytes: 16 * 1024, new MemoizedImageCrypto(), inMemoryFlash: true) { TestBootEnabled = testBootEnabled };
        _factoryImage = start == "factory";
        switch (start)
        {
            case "factory":
                _rig.Manufacture(catalogue[0], catalogue[0]);
                _ghost = _ghost.WithConfirmed(0);
                break;
            case "no factory":
                _rig.Manufacture(catalogue[0]);
                _ghost = _ghost.WithConfirmed(0);
                break;
            case "nothing":
                break;
            default:
                throw new ArgumentException(start, nameof(start));
        }
    }

    /// <summary>Transitions executed.</summary>
    public long Transitions { get; private set; }

    /// <summary>The root: the board after its first boot.</summary>
    public ModelNode Root()
    {
        BootDecision d = _rig.Boot();
        _phase = d.RunApplication ? ModelPhase.Running : ModelPhase.SafeMode;
        CheckAfterBoot(d, Array.Empty<ModelEvent>(), null, null);
        return new ModelNode(Save(), d, _phase, Array.Empty<ModelEvent>(), _ghost, Key(), Array.Empty<ModelEvent>());
    }

    /// <summary>The events that can happen in <paramref name="node"/>'s state.</summary>
    public IEnumerable<ModelEvent> Enabled(ModelNode node)
    {
        Restore(node);
        foreach (ModelEvent e in AllEvents)
        {
            if (IsEnabled(e)) yield return e;
        }
    }

    private bool IsEnabled(ModelEvent e)
    {
        bool up = _phase != ModelPhase.Off;
        bool rebootAsked = up && _rig.Reboots.Requests > 0;
        switch (e)
        {
            case ModelEvent.OtaFinish:
                return up && _rig.TransferInFlight;
            case ModelEvent.OtaNext:
            case ModelEvent.OtaBeginNext:
            case ModelEvent.OtaOld:
                return up && !_rig.TransferInFlight && !rebootAsked;
            case ModelEvent.OtaSame:
            case ModelEvent.OtaReinstall:
                return up && !_rig.TransferInFlight && !rebootAsked && ImageOfVersion(ReadState().ActiveVersion) >= 0;
            case ModelEvent.Confirm:
            case ModelEvent.Revert:
                return _phase == ModelPhase.Running;
            case ModelEvent.CorruptStaging:
                return SlotImage(SlotBytes(_rig.Map.Staging.Start)) >= 0;
            case ModelEvent.RotApp:
                return SlotImage(AppBytes()) >= 0;
            default:
                return true;
        }
    }

    /// <summary>Applies <paramref name="e"/> to <paramref name="node"/>'s state, checks the invariants, and returns the new node.</summary>
    public ModelNode Apply(ModelNode node, ModelEvent e)
    {
        Restore(node);
        Transitions++;
        ModelEvent[] path = [.. node.Path, e];
        BootState before = ReadState();
        byte[] appBefore = AppBytes();
        byte[] backupBefore = SlotBytes(_rig.Map.Backup.Start);
        switch (e)
        {
            case ModelEvent.Reset:
            case ModelEvent.WatchdogReset:
            case ModelEvent.ResetCutMidCopy:
                {
                    BootDecision? d = Boot(e);
                    if (d == null)
                    {
                        CheckAlways(path);
                        return new ModelNode(Save(), node.Decision, ModelPhase.Off, Array.Empty<ModelEvent>(), _ghost, Key(), path);
                    }

                    CheckAfterBoot(d, path, before, (appBefore, backupBefore));
                    return new ModelNode(Save(), d, _phase, Array.Empty<ModelEvent>(), _ghost, Key(), path);
                }

            default:
                RuntimeEvent(e, path, before, appBefore, backupBefore, check: true);
                CheckAlways(path);
                return new ModelNode(node.BootSnapshot, node.Decision, node.Phase, [.. node.SinceBoot, e], _ghost, Key(), path);
        }
    }

    // ---- events -------------------------------------------------------------------------------------

    private BootDecision? Boot(ModelEvent e)
    {
        if (e == ModelEvent.ResetCutMidCopy) _rig.App.CutPowerAtOperation(_rig.App.OperationCount + 2, 0.5);
        BootDecision d;
        try
        {
            d = _rig.Boot(watchdogReset: e == ModelEvent.WatchdogReset);
        }
        catch (PowerLossException)
        {
            _rig.App.PowerOn();
            _phase = ModelPhase.Off;
            return null;
        }
        finally
        {
            _rig.App.CutPowerAtOperation(-1);
        }

        _phase = d.RunApplication ? ModelPhase.Running : ModelPhase.SafeMode;
        return d;
    }

    private void RuntimeEvent(ModelEvent e, ModelEvent[] path, BootState before, byte[] appBefore, byte[] backupBefore, bool check)
    {
        switch (e)
        {
            case ModelEvent.Confirm:
                {
                    bool confirmed = _rig.Deployment.ConfirmDeploymentImage();
                    if (confirmed)
                    {
                        // The image that confirms is the one this boot started (it runs from RAM); its copy
                        // in the application slot may have rotted since (RotApp): then nothing holds it.
                        int running = ImageOfVersion(_rig.Decision.ActiveVersion);
                        if (check) Require(running >= 0, path, "a confirm succeeded but no image runs");
                        _ghost = _ghost.WithConfirmed(running);
                        if (SlotImage(AppBytes()) != running) _ghost = _ghost with { LastConfirmed = -1 };
                    }

                    break;
                }

            case ModelEvent.Revert:
                _rig.Deployment.RequestDeploymentRevert();
                break;

            case ModelEvent.CorruptStaging:
                _rig.Corrupt(_rig.Map.Staging, ImageFormat.HeaderSize + 17);
                break;

            case ModelEvent.RotApp:
                {
                    int rotten = SlotImage(AppBytes());
                    byte[] b = new byte[1];
                    _rig.App.Peek(ImageFormat.HeaderSize + 9, b);
                    b[0] ^= 0x10;
                    _rig.App.Poke(ImageFormat.HeaderSize + 9, b);
                    // A fault may destroy the last confirmed image's only copy: the invariant then has nothing to protect.
                    if (rotten == _ghost.LastConfirmed && SlotImage(SlotBytes(_rig.Map.Backup.Start)) != rotten
                        && !(_factoryImage && SlotImage(SlotBytes(_rig.Map.Factory.Start)) == rotten))
                    {
                        _ghost = _ghost with { LastConfirmed = -1 };
                    }

                    break;
                }

            case ModelEvent.OtaFinish:
                {
                    byte[] image = _rig.TransferImage!;
                    string? refusal = _rig.FinishOta();
                    if (check) CheckOta(e, image, refusal, path, before, appBefore, backupBefore);
                    break;
                }

            case ModelEvent.OtaBeginNext:
                {
                    byte[] image = _catalogue[NextImage()];
                    string? refusal = _rig.BeginOta(image);
                    if (refusal != null && check) CheckOta(e, image, refusal, path, before, appBefore, backupBefore);
                    break;
                }

            default:
                {
                    byte[] image = e switch
                    {
                        ModelEvent.OtaNext => _catalogue[NextImage()],
                        ModelEvent.OtaOld => _catalogue[0],
                        _ => _catalogue[ImageOfVersion(ReadState().ActiveVersion)],
                    };
                    string? refusal = _rig.Update(image, e == ModelEvent.OtaReinstall ? SparkProtocol.UpdateFlagReinstall : 0);
                    if (check) CheckOta(e, image, refusal, path, before, appBefore, backupBefore);
                    break;
                }
        }
    }

    // The next newer image: one above everything the state or the slots mention.
    private int NextImage()
    {
        BootState s = ReadState();
        int highest = Math.Max(ImageOfVersion(s.ActiveVersion), ImageOfVersion(s.SecurityCounter));
        highest = Math.Max(highest, SlotImage(SlotBytes(_rig.Map.Staging.Start)));
        highest = Math.Max(highest, SlotImage(AppBytes()));
        int next = highest + 1;
        if (next >= _catalogue.Length) throw new InvalidOperationException("the catalogue is too short for this depth");
        return next;
    }

    // ---- invariants ---------------------------------------------------------------------------------

    private void Require(bool condition, ModelEvent[] path, string what)
    {
        if (condition) return;
        throw new ModelViolation($"{what}\n  after {Describe(path)}\n  state [{ReadState()}]\n  slots {Slots()}");
    }

    /// <summary>After a boot: invariant 1 (a valid image runs, or safe mode with nothing usable), the
    /// settled state, the ghost's bookkeeping of rollbacks and factory restores, and invariant 5 for a
    /// staged image the bootloader refused.</summary>
    private void CheckAfterBoot(BootDecision d, ModelEvent[] path, BootState? before, (byte[] App, byte[] Backup)? slotsBefore)
    {
        BootState s = ReadState();
        Require(!d.Reason.Contains("did not settle"), path, "the boot did not settle: " + d.Reason);
        (bool appOk, uint appVersion) = Verdict(AppBytes());
        if (d.RunApplication)
        {
            Require(appOk && appVersion == d.ActiveVersion && s.ActiveVersion == appVersion, path,
                $"1: the boot runs {PackedImageVersion.ToText(d.ActiveVersion)} but the application slot says {appOk}/{PackedImageVersion.ToText(appVersion)} ({d.Reason})");
            Require(s.State is BootImageState.None or BootImageState.Confirmed or BootImageState.Testing, path, "1: the boot left an unsettled state: " + d.Reason);
            Require(d.TestBoot == (s.State == BootImageState.Testing), path, "1: test boot and state disagree: " + d.Reason);
        }
        else
        {
            // Nothing usable: the application slot does not verify or holds an image that failed its
            // test (never confirmed), and neither the factory image nor a backup at the counter verifies.
            (bool factoryOk, _) = Verdict(SlotBytes(_rig.Map.Factory.Start));
            (bool backupOk, uint backupVersion) = Verdict(SlotBytes(_rig.Map.Backup.Start));
            bool appUsable = appOk && _ghost.AppConfirmed;
            Require(!appUsable && !factoryOk && (!backupOk || backupVersion < s.SecurityCounter), path,
                "1: safe mode although an image could run: " + d.Reason);
            Require(s.State == BootImageState.None && s.Has(BootStateFlags.NoValidImage) && s.ActiveVersion == 0, path,
                "1: safe mode without the settled 'no valid image' state: " + d.Reason);
        }

        int running = SlotImage(AppBytes());
        if (d.Installs > 0) _ghost = _ghost with { AppConfirmed = false };
        if (d.Rollbacks > 0)
        {
            Require(_ghost.IsConfirmed(running), path, "2: the rollback landed on an image that was never confirmed: " + d.Reason);
            _ghost = _ghost.WithConfirmed(running);
        }

        if (d.FactoryRestores > 0 && running >= 0) _ghost = _ghost.WithConfirmed(running);

        if (before is { } b && slotsBefore is { } sb && d.Reason.Contains("staged image refused"))
        {
            Require(d.Installs == 0, path, "5: a refused staged image was installed: " + d.Reason);
            Require(SlotBytes(_rig.Map.Backup.Start).AsSpan().SequenceEqual(sb.Backup), path, "5: a refused staged image changed the backup: " + d.Reason);
            // The running image stays, unless the state the refusal returned to calls for a restore by
            // itself (a test image whose test is over, a rotten application slot): that is its reset row.
            if (d.Rollbacks == 0 && d.FactoryRestores == 0 && d.RunApplication)
                Require(AppBytes().AsSpan().SequenceEqual(sb.App), path, "5: a refused staged image changed the running image: " + d.Reason);
        }

        CheckAlways(path);
    }

    /// <summary>Invariant 5 for the OTA service (a refused image leaves the boot state and the slots as
    /// they were) and the version gate's verdicts.</summary>
    private void CheckOta(ModelEvent e, byte[] image, string? refusal, ModelEvent[] path, BootState before, byte[] appBefore, byte[] backupBefore)
    {
        var header = new ImageHeader();
        header.Read(image, 0);
        uint version = PackedImageVersion.Of(header);
        bool expectRefusal = version < before.SecurityCounter
            || (before.ActiveVersion != 0 && version == before.ActiveVersion && e != ModelEvent.OtaReinstall)
            || (before.ActiveVersion != 0 && version < before.ActiveVersion);
        if (expectRefusal) Require(refusal != null, path, $"5: {e} of {PackedImageVersion.ToText(version)} was accepted (counter {PackedImageVersion.ToText(before.SecurityCounter)}, running {PackedImageVersion.ToText(before.ActiveVersion)})");
        if (refusal == null) return;
        BootState after = ReadState();
        Require(after.SameAs(before), path, $"5: {e} was refused ({refusal}) but the boot state changed from [{before}]");
        Require(AppBytes().AsSpan().SequenceEqual(appBefore) && SlotBytes(_rig.Map.Backup.Start).AsSpan().SequenceEqual(backupBefore), path,
            $"5: {e} was refused ({refusal}) but a slot changed");
    }

    /// <summary>After every step: invariants 2 (the last confirmed image is never lost while an
    /// unconfirmed one exists), 3 (the state never calls an unconfirmed image confirmed) and 4 (the
    /// counter: monotonic, never above... the running version is never below it but for the factory image).</summary>
    private void CheckAlways(ModelEvent[] path)
    {
        BootState s = ReadState();
        int app = SlotImage(AppBytes());
        int backup = SlotImage(SlotBytes(_rig.Map.Backup.Start));
        int factory = SlotImage(SlotBytes(_rig.Map.Factory.Start));

        // 4: the counter never goes down, and stays at or above every confirmed version.
        Require(s.SecurityCounter >= _ghost.CounterSeen, path, $"4: the security counter went down from {PackedImageVersion.ToText(_ghost.CounterSeen)}");
        _ghost = _ghost with { CounterSeen = s.SecurityCounter };
        if (_phase != ModelPhase.Off && _ghost.LastConfirmed >= 0)
            Require(s.SecurityCounter >= _versions[_ghost.LastConfirmed], path, "4: the counter is below the last confirmed version");
        if (_phase == ModelPhase.Running)
            Require(s.ActiveVersion >= s.SecurityCounter || (factory >= 0 && ImageOfVersion(_rig.Decision.ActiveVersion) == factory), path,
                $"4: {PackedImageVersion.ToText(s.ActiveVersion)} runs below the security counter {PackedImageVersion.ToText(s.SecurityCounter)}");

        // 2: the last confirmed image is where a rollback finds it.
        int last = _ghost.LastConfirmed;
        if (last >= 0)
            Require(app == last || backup == last || (factory == last && _factoryImage), path,
                $"2: the last confirmed image (1.{last}.0) is lost");

        // 3: None/Confirmed (and Pending without KeepBackup) only over a confirmed running image.
        bool settledOverApp = (s.State is BootImageState.None or BootImageState.Confirmed && !s.Has(BootStateFlags.NoValidImage))
            || (s.State == BootImageState.Pending && !s.Has(BootStateFlags.KeepBackup) && !s.Has(BootStateFlags.NoValidImage));
        if (_phase != ModelPhase.Off && settledOverApp && app >= 0)
            Require(_ghost.AppConfirmed, path,
                $"3: the state ({s.State}) treats the unconfirmed 1.{app}.0 as confirmed");
        if (s.State == BootImageState.Pending && s.Has(BootStateFlags.KeepBackup) && last >= 0)
            Require(backup == last || (factory == last && _factoryImage), path, "2: Pending keeps a backup that is not the last confirmed image");
    }

    // ---- board state ------------------------------------------------------------------------------

    private string Key()
    {
        BootState s = ReadState();
        var k = new StringBuilder();
        k.Append(s.ToString());
        k.Append("|app ").Append(Label(AppBytes()));
        k.Append("|bak ").Append(Label(SlotBytes(_rig.Map.Backup.Start)));
        k.Append("|stg ").Append(Label(SlotBytes(_rig.Map.Staging.Start)));
        k.Append("|fac ").Append(Label(SlotBytes(_rig.Map.Factory.Start)));
        k.Append("|phase ").Append(_phase);
        if (_phase != ModelPhase.Off)
        {
            k.Append("|dep ").Append(_rig.Deployment.Status);
            k.Append("|ota ").Append(_rig.Ota.State).Append(_rig.Ota.RevertRequested ? " revert" : "");
            k.Append("|flight ").Append(_rig.TransferImage == null ? "-" : Label(Padded(_rig.TransferImage)));
            k.Append("|reboot ").Append(_rig.Reboots.Requests > 0);
            k.Append("|test ").Append(_rig.Decision.TestBoot);
        }

        k.Append("|ghost ").Append(_ghost.ConfirmedMask).Append(' ').Append(_ghost.LastConfirmed).Append(' ').Append(_ghost.CounterSeen).Append(' ').Append(_ghost.AppConfirmed);
        return k.ToString();
    }

    private string Slots() =>
        $"app {Label(AppBytes())}, backup {Label(SlotBytes(_rig.Map.Backup.Start))}, staging {Label(SlotBytes(_rig.Map.Staging.Start))}, factory {Label(SlotBytes(_rig.Map.Factory.Start))}";

    private ModelSnapshot Save() => new(
        _rig.PeekExternal(_rig.Map.BootStateA.Start, 2 * 4096),
        SlotBytes(_rig.Map.Staging.Start),
        SlotBytes(_rig.Map.Backup.Start),
        SlotBytes(_rig.Map.Factory.Start),
        AppBytes());

    private void Restore(ModelNode node)
    {
        ModelSnapshot snap = node.BootSnapshot;
        if (_rig.Map.BootStateB.Start != _rig.Map.BootStateA.Start + 4096) throw new InvalidOperationException("the boot-state sectors are not adjacent");
        _rig.PokeExternal(_rig.Map.BootStateA.Start, snap.BootState);
        _rig.PokeExternal(_rig.Map.Staging.Start, snap.Staging);
        _rig.PokeExternal(_rig.Map.Backup.Start, snap.Backup);
        _rig.PokeExternal(_rig.Map.Factory.Start, snap.Factory);
        _rig.App.Poke(0, snap.App);
        _phase = node.Phase;
        _ghost = node.Ghost;
        if (_phase != ModelPhase.Off) _rig.StartRuntime(node.Decision);
        foreach (ModelEvent e in node.SinceBoot) // while Off, only the faults (CorruptStaging, RotApp) happen
        {
            RuntimeEvent(e, node.Path, default, [], [], check: false);
        }

        _ghost = node.Ghost;
    }

    private byte[] SlotBytes(int start) => _rig.PeekExternal(start, Window);

    private readonly Dictionary<string, BootState> _states = new();

    // The store's reading of the boot-state sectors, cached by their bytes (a read scans 8 KB over the bus).
    private BootState ReadState()
    {
        string h = Hash(_rig.PeekExternal(_rig.Map.BootStateA.Start, 2 * 4096));
        if (_states.TryGetValue(h, out BootState s)) return s;
        s = _rig.ReadState();
        _states[h] = s;
        return s;
    }

    private byte[] AppBytes()
    {
        var b = new byte[Window];
        _rig.App.Peek(0, b);
        return b;
    }

    private static byte[] Padded(byte[] image)
    {
        var b = new byte[Window];
        Array.Fill(b, (byte)0xFF);
        image.CopyTo(b, 0);
        return b;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes), 0, 8);

    /// <summary>The catalogue index the slot holds exactly (the image, then erased bytes), else -1.</summary>
    private int SlotImage(byte[] window) => _catalogueByHash.TryGetValue(Hash(window), out int i) ? i : -1;

    private string Label(byte[] window)
    {
        int i = SlotImage(window);
        if (i >= 0) return "1." + i + ".0";
        if (window.All(b => b == 0xFF)) return "erased";
        return "other:" + Hash(window);
    }

    private int ImageOfVersion(uint version) => Array.IndexOf(_versions, version);

    /// <summary>Whether the slot's content verifies as an image (VerifyInSlot's verdict), and its version.</summary>
    private (bool Ok, uint Version) Verdict(byte[] window)
    {
        string h = Hash(window);
        if (_verdicts.TryGetValue(h, out var v)) return v;
        var header = new ImageHeader();
        header.Read(window, 0);
        int length = -1;
        if (header.Magic == ImageFormat.Magic && header.PayloadSize < Window)
        {
            int body = ImageFormat.HeaderSize + (int)header.PayloadSize;
            if (body + ImageFormat.TrailerInfoSize <= Window)
            {
                int trailer = ImageFormat.ReadUInt16(window, body + 2);
                if (body + trailer <= Window) length = body + trailer;
            }
        }

        bool ok = length > 0 && ImageSigner.Verify(window[..length], BootRig.Key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize) == ImageVerifyResult.Ok;
        v = (ok, ok ? PackedImageVersion.Of(header) : 0);
        _verdicts[h] = v;
        return v;
    }

    private static string Describe(ModelEvent[] path) => path.Length == 0 ? "the first boot" : string.Join(", ", path);

    public void Dispose() => _rig.Dispose();
}
