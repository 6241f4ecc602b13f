namespace CoreFirmware.Drivers.Cloud
{
    /// <summary>
    /// A subscribed event as the app's handler sees it: name and data in fixed buffers the system
    /// reuses for every event (read them during the handler call only).
    /// </summary>
    public sealed class CloudEventData
    {
        /// <summary>Longest event name in bytes (Spark: 63).</summary>
        public const int MaxNameLength = 63;

        /// <summary>Longest event data in bytes (Spark: 255).</summary>
        public const int MaxDataLength = 255;

        private readonly byte[] _name = new byte[MaxNameLength];
        private readonly byte[] _data = new byte[MaxDataLength];
        private int _nameLength;
        private int _dataLength;

        /// <summary>The name's bytes (<see cref="NameLength"/> of them).</summary>
        public byte[] Name
        {
            get { return _name; }
        }

        /// <summary>Bytes in the name.</summary>
        public int NameLength
        {
            get { return _nameLength; }
        }

        /// <summary>The data's bytes (<see cref="DataLength"/> of them).</summary>
        public byte[] Data
        {
            get { return _data; }
        }

        /// <summary>Bytes in the data.</summary>
        public int DataLength
        {
            get { return _dataLength; }
        }

        /// <summary>Sets the event (system use); longer names or data are cut at the limits.</summary>
        public void Set(byte[] name, int nameOffset, int nameLength, byte[] data, int dataOffset, int dataLength)
        {
            _nameLength = nameLength > MaxNameLength ? MaxNameLength : nameLength;
            for (int i = 0; i < _nameLength; i++) _name[i] = name[nameOffset + i];
            _dataLength = dataLength > MaxDataLength ? MaxDataLength : dataLength;
            for (int i = 0; i < _dataLength; i++) _data[i] = data[dataOffset + i];
        }

        /// <summary>The name as text (allocates).</summary>
        public string NameText()
        {
            return Text(_name, _nameLength);
        }

        /// <summary>The data as text (allocates).</summary>
        public string DataText()
        {
            return Text(_data, _dataLength);
        }

        private static string Text(byte[] b, int n)
        {
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = (char)b[i];
            return new string(chars);
        }
    }
}
