using System;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// The MCU's internal flash application region in memory, with the STM32's rules: 1 KB pages
    /// erased to 0xFF, half-word programming within one page, programming a byte that is not erased
    /// fails (PGERR) with <see cref="InternalFlashException"/>. Each page erase and each program call
    /// is one operation a power cut can tear (<see cref="CutPowerAtOperation"/>); after a cut every
    /// call throws <see cref="PowerLostException"/> until <see cref="PowerOn"/>.
    /// </summary>
    public sealed class MemoryInternalFlash : IInternalFlash
    {
        /// <summary>The application region of the Spark Core's STM32F103CB as the board lays it out.</summary>
        public const int DefaultSize = 640 * 1024;

        /// <summary>The STM32F103's page.</summary>
        public const int DefaultPageSize = 1024;

        private readonly byte[][] _pages;
        private readonly int _size;
        private readonly int _pageSize;
        private bool _powered = true;
        private long _operations;
        private long _cutAt = -1;
        private int _cutPercent;
        private int _pageErases;
        private int _programCalls;

        /// <summary>The default region: 640 KB of 1 KB pages, all erased.</summary>
        public MemoryInternalFlash() : this(DefaultSize, DefaultPageSize)
        {
        }

        /// <summary>A region of <paramref name="size"/> bytes in pages of <paramref name="pageSize"/>.</summary>
        public MemoryInternalFlash(int size, int pageSize)
        {
            _size = size;
            _pageSize = pageSize;
            _pages = new byte[size / pageSize][];
        }

        /// <inheritdoc />
        public int Size
        {
            get { return _size; }
        }

        /// <inheritdoc />
        public int PageSize
        {
            get { return _pageSize; }
        }

        /// <summary>Page erases and program calls so far.</summary>
        public long OperationCount
        {
            get { return _operations; }
        }

        /// <summary>Page erases so far.</summary>
        public int PageErases
        {
            get { return _pageErases; }
        }

        /// <summary>Program calls so far.</summary>
        public int ProgramCalls
        {
            get { return _programCalls; }
        }

        /// <summary>Arms a cut in operation <paramref name="operation"/>, <paramref name="percentDone"/> percent of its bytes written.</summary>
        public void CutPowerAtOperation(long operation, int percentDone)
        {
            _cutAt = operation;
            _cutPercent = percentDone;
        }

        /// <summary>Powers the part up again (contents kept).</summary>
        public void PowerOn()
        {
            _powered = true;
            _cutAt = -1;
        }

        /// <inheritdoc />
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            CheckPower();
            if (address < 0 || count < 0 || address > _size - count) throw new InternalFlashException("read outside the application region");
            CopyOut(address, buffer, offset, count);
        }

        /// <inheritdoc />
        public void ErasePage(int address)
        {
            CheckPower();
            if (address < 0 || address >= _size || address % _pageSize != 0) throw new InternalFlashException("erase address is not a page start");
            _pageErases++;
            int done = Operation(_pageSize);
            if (done == _pageSize)
            {
                _pages[address / _pageSize] = null;
            }
            else
            {
                for (int i = 0; i < done; i++) Set(address + i, 0xFF);
            }

            AfterOperation();
        }

        /// <inheritdoc />
        public void Program(int address, byte[] data, int offset, int count)
        {
            CheckPower();
            if (address < 0 || count < 0 || address > _size - count) throw new InternalFlashException("program outside the application region");
            if ((address & 1) != 0 || (count & 1) != 0) throw new InternalFlashException("the FLASH controller programs half-words");
            if (count > 0 && address / _pageSize != (address + count - 1) / _pageSize) throw new InternalFlashException("a program call must stay within one page");
            for (int i = 0; i < count; i++)
            {
                if (Get(address + i) != 0xFF) throw new InternalFlashException("programming a half-word that is not erased (PGERR)");
            }

            _programCalls++;
            int done = Operation(count);
            for (int i = 0; i < done; i++) Set(address + i, data[offset + i]);
            AfterOperation();
        }

        /// <summary>The region's bytes (test access).</summary>
        public byte[] Peek(int address, int count)
        {
            byte[] b = new byte[count];
            CopyOut(address, b, 0, count);
            return b;
        }

        // A page at a time (an erased page is no array): one copy instead of a call per byte.
        private void CopyOut(int address, byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int at = address % _pageSize;
                int n = _pageSize - at < count ? _pageSize - at : count;
                byte[] p = _pages[address / _pageSize];
                if (p == null)
                {
                    for (int i = 0; i < n; i++) buffer[offset + i] = 0xFF;
                }
                else
                {
                    Array.Copy(p, at, buffer, offset, n);
                }

                address += n;
                offset += n;
                count -= n;
            }
        }

        private int Operation(int bytes)
        {
            long index = _operations++;
            if (index != _cutAt) return bytes;
            _cutAt = -1;
            _powered = false;
            return bytes * _cutPercent / 100;
        }

        private void AfterOperation()
        {
            if (!_powered) throw new PowerLostException("internal flash power cut during operation " + (_operations - 1).ToString());
        }

        private void CheckPower()
        {
            if (!_powered) throw new PowerLostException("internal flash accessed without power");
        }

        private byte Get(int address)
        {
            byte[] p = _pages[address / _pageSize];
            return p == null ? (byte)0xFF : p[address % _pageSize];
        }

        private void Set(int address, byte value)
        {
            int page = address / _pageSize;
            byte[] p = _pages[page];
            if (p == null)
            {
                if (value == 0xFF) return;
                p = new byte[_pageSize];
                for (int i = 0; i < p.Length; i++) p[i] = 0xFF;
                _pages[page] = p;
            }

            p[address % _pageSize] = value;
        }
    }
}
