using CoreFirmware.Drivers.Flash;

namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// The MCU's internal flash where the application image runs from (on the STM32F103: 1 KB
    /// pages, erased to 0xFF, programmed in half-words through the FLASH controller). Addresses are
    /// offsets from the start of the application region, 0 .. <see cref="Size"/>.
    /// </summary>
    /// <remarks>NOR rules: a page must be erased before its bytes are programmed again; programming
    /// a byte that is not erased fails (the STM32's PGERR) with <see cref="InternalFlashException"/>.</remarks>
    public interface IInternalFlash : IFlashReader
    {
        /// <summary>Bytes of the application region.</summary>
        int Size { get; }

        /// <summary>Erase unit in bytes (1024 on the STM32F103CB).</summary>
        int PageSize { get; }

        /// <summary>Erases the page that starts at <paramref name="address"/> (a multiple of <see cref="PageSize"/>).</summary>
        void ErasePage(int address);

        /// <summary>Programs <paramref name="count"/> bytes (even address and count, within one page) that must be erased.</summary>
        void Program(int address, byte[] data, int offset, int count);
    }
}
