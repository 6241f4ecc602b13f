namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>
    /// A program or erase did not finish (BUSY still set) within its bound: the datasheet maximum
    /// plus a clock margin.
    /// The driver released the bus before this was thrown.
    /// </summary>
    public sealed class Sst25TimeoutException : Sst25Exception
    {
        /// <summary>Creates the exception for <paramref name="operation"/> at <paramref name="address"/>.</summary>
        public Sst25TimeoutException(string operation, int address, int limitMilliseconds, int status)
            : base("SST25 " + operation + " at 0x" + address.ToString("X6") + " still busy after "
                + limitMilliseconds.ToString() + " ms (datasheet maximum reached, status 0x" + status.ToString("X2") + ")", status)
        {
            Operation = operation;
            Address = address;
            LimitMilliseconds = limitMilliseconds;
        }

        /// <summary>What was waited for ("sector erase", "byte program", ...).</summary>
        public string Operation { get; private set; }

        /// <summary>The flash address of the operation.</summary>
        public int Address { get; private set; }

        /// <summary>How long the driver waited at most, in milliseconds.</summary>
        public int LimitMilliseconds { get; private set; }
    }
}
