namespace CoreFirmware.Drivers.Cloud
{
    /// <summary>
    /// The Spark cloud as an app uses it (Spark.variable, Spark.function, Spark.publish,
    /// Spark.subscribe, Time): what <c>UserAppContext.Cloud</c> hands the app. Register variables and
    /// functions in Setup (the tables are fixed: <see cref="MaxVariables"/>, <see cref="MaxFunctions"/>,
    /// <see cref="MaxSubscriptions"/>; names 1 to <see cref="MaxNameLength"/> ASCII characters); the
    /// cloud lists them (Describe) and calls them on the system's cloud-call thread, never on the link's,
    /// so a slow or throwing callback cannot stall the link or an OTA update: the caller gets a timeout
    /// or error answer instead.
    /// </summary>
    public interface ICloud
    {
        /// <summary>True while the cloud link is up.</summary>
        bool Connected { get; }

        /// <summary>Registers an int variable read at request time. False when the table is full, the name is bad or taken.</summary>
        bool Variable(string name, CloudIntVariable read);

        /// <summary>Registers a double variable read at request time.</summary>
        bool Variable(string name, CloudDoubleVariable read);

        /// <summary>Registers a string variable read at request time (at most <see cref="MaxStringVariableLength"/> bytes).</summary>
        bool Variable(string name, CloudStringVariable read);

        /// <summary>Registers a function (argument up to 63 bytes, int result).</summary>
        bool Function(string name, CloudFunction function);

        /// <summary>
        /// Publishes an event (name 1-63 bytes, data up to 255 bytes, null for none; TTL seconds, 0 = the
        /// cloud's 60). Rate-limited to about 1 a second with bursts of 4. Any thread; never blocks longer
        /// than the link's send timeout.
        /// </summary>
        PublishResult Publish(string name, string data, int ttlSeconds, bool isPrivate);

        /// <summary>As <see cref="Publish(string, string, int, bool)"/> with the data as bytes (allocates nothing).</summary>
        PublishResult Publish(string name, byte[] data, int offset, int count, int ttlSeconds, bool isPrivate);

        /// <summary>Subscribes to events whose name starts with <paramref name="prefix"/> (from other devices and the API).</summary>
        bool Subscribe(string prefix, CloudEventHandler handler);

        /// <summary>True once the cloud told the time (GetTime at connect, then periodically).</summary>
        bool TimeValid { get; }

        /// <summary>Unix time in seconds from the cloud's time and the board clock since; 0 while not <see cref="TimeValid"/>.</summary>
        long UnixTime { get; }

        /// <summary>Variables the table holds (10, the Spark Core's).</summary>
        int MaxVariables { get; }

        /// <summary>Functions the table holds (4, the Spark Core's).</summary>
        int MaxFunctions { get; }

        /// <summary>Subscriptions the table holds.</summary>
        int MaxSubscriptions { get; }

        /// <summary>Longest variable or function name (12, the Spark Core's).</summary>
        int MaxNameLength { get; }

        /// <summary>Longest string variable value in bytes.</summary>
        int MaxStringVariableLength { get; }
    }
}
