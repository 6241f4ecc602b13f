namespace CoreFirmware.Benchmarks;

/// <summary>
/// The reference board's flash and RAM budget: Core peripherals (CC3000, SST25, RGB LED, D0) on an
/// STM32F407VG (1 MB flash, 192 KB RAM), laid out as nanoFramework's ST_STM32F4_DISCOVERY target lays it
/// out (nanoframework/nf-Community-Targets, CMSIS-OS/ChibiOS/ST_STM32F4_DISCOVERY: nanoBooter/STM32F407xG_booter.ld,
/// nanoCLR/STM32F407xG_CLR.ld, common/Device_BlockStorage.c, CMakeLists.txt; the managed heap rule is
/// nf-interpreter's targets/ChibiOS/common/rules_clr.ld). README.md, "Benchmarks", explains each figure.
/// </summary>
public static class DeviceBudget
{
    public const string Part = "STM32F407VG (ST_STM32F4_DISCOVERY layout)";

    /// <summary>Internal flash: 1 MB (sectors 0-3 16 KB, 4 64 KB, 5-11 128 KB).</summary>
    public const int FlashBytes = 1024 * 1024;

    /// <summary>nanoBooter: sector 0, 0x08000000-0x08003FFF.</summary>
    public const int NanoBooterBytes = 16 * 1024;

    /// <summary>nanoCLR's region: sectors 1-5, 0x08004000-0x0803FFFF (1 MB - 16 KB - 768 KB).</summary>
    public const int NanoClrBytes = 240 * 1024;

    /// <summary>Configuration block: none on this target (its linker script gives "config" length 0).</summary>
    public const int ConfigBytes = 0;

    /// <summary>Deployment area for .pe files: sectors 6-11, 0x08040000-0x080FFFFF. DeploymentAreaBytes in CoreFirmware.Device.proj.</summary>
    public const int DeploymentBytes = 768 * 1024;

    /// <summary>RAM: SRAM1 112 KB + SRAM2 16 KB (contiguous, "ram0") + CCM 64 KB (4 KB backup SRAM not counted).</summary>
    public const int RamBytes = 192 * 1024;

    /// <summary>ram0 as the CLR's linker script gives it: 128 KB less 48 bytes of boot clipboard.</summary>
    public const int Ram0Bytes = 128 * 1024 - 48;

    /// <summary>CCM: all of it is the C runtime heap (__crt_heap_size__ = 0x10000; ChibiOS thread stacks come from it).</summary>
    public const int CrtHeapBytes = 64 * 1024;

    /// <summary>ChibiOS main stack 0x400 + process stack 0x800, in ram0.</summary>
    public const int StackBytes = 0x400 + 0x800;

    /// <summary>
    /// nanoCLR's static data (.data + .bss) in ram0: an estimate, 20 KB. Not in the sources (a target
    /// build's nanoCLR.map has it); the Linux build of the same CLR core has 36.6 KB of .bss with 8-byte
    /// pointers, 15 KB of it the host's random-number state, which leaves about 21 KB, less on a 32-bit
    /// part, plus ChibiOS and the USB CDC and wire-protocol buffers.
    /// </summary>
    public const int NanoClrStaticEstimateBytes = 20 * 1024;

    /// <summary>The managed heap: the rest of ram0 (rules_clr.ld gives it everything left). About 105 KB.</summary>
    public const int ManagedHeapEstimateBytes = Ram0Bytes - StackBytes - NanoClrStaticEstimateBytes;
}
