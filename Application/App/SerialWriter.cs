using System;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Application.App
{
    /// <summary>
    /// Prints text and numbers to a serial port without allocating: characters go through a fixed
    /// line buffer of <see cref="BufferSize"/> bytes (non-ASCII characters are written as '?'), and
    /// are flushed at each end of line or when the buffer is full. Not thread-safe: one writer per thread.
    /// </summary>
    public sealed class SerialWriter
    {
        /// <summary>Size of the line buffer: one full Serial1 line of the sample apps fits.</summary>
        public const int BufferSize = 128;

        private readonly ISerialPort _port;
        private readonly byte[] _buffer = new byte[BufferSize];
        private readonly byte[] _digits = new byte[20];
        private int _length;

        /// <summary>Creates a writer on <paramref name="port"/>.</summary>
        public SerialWriter(ISerialPort port)
        {
            if (port == null) throw new ArgumentNullException("port");
            _port = port;
        }

        /// <summary>Writes <paramref name="text"/>.</summary>
        public SerialWriter Print(string text)
        {
            if (text == null) return this;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                Put(c < 128 ? (byte)c : (byte)'?');
            }
            return this;
        }

        /// <summary>Writes the bytes [offset, offset + count) as they are (UTF-8 text from a reply, say).</summary>
        public SerialWriter Print(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count < 0 || offset > buffer.Length - count) throw new ArgumentOutOfRangeException("count");
            for (int i = 0; i < count; i++) Put(buffer[offset + i]);
            return this;
        }

        /// <summary>Writes <paramref name="value"/> in decimal.</summary>
        public SerialWriter Print(long value)
        {
            if (value == 0)
            {
                Put((byte)'0');
                return this;
            }
            bool negative = value < 0;
            int n = 0;
            // Work in negatives so long.MinValue needs no special case.
            long v = negative ? value : -value;
            while (v != 0)
            {
                _digits[n++] = (byte)('0' - (v % 10));
                v /= 10;
            }
            if (negative) Put((byte)'-');
            while (n > 0) Put(_digits[--n]);
            return this;
        }

        /// <summary>Writes <paramref name="text"/> and ends the line.</summary>
        public void PrintLine(string text)
        {
            Print(text);
            PrintLine();
        }

        /// <summary>Ends the line ("\r\n") and sends it.</summary>
        public void PrintLine()
        {
            Put((byte)'\r');
            Put((byte)'\n');
            Flush();
        }

        /// <summary>Sends whatever is buffered.</summary>
        public void Flush()
        {
            if (_length == 0) return;
            _port.Write(_buffer, 0, _length);
            _length = 0;
        }

        private void Put(byte b)
        {
            if (_length == BufferSize) Flush();
            _buffer[_length++] = b;
        }
    }
}
