namespace CoreFirmware.Drivers.Cloud
{
    /// <summary>
    /// A cloud function (Spark.function): called with the caller's argument (at most
    /// <see cref="CloudArgument.MaxLength"/> bytes), returns an int. It runs on the system's cloud-call
    /// thread, beside the app's Loop: guard shared state with lock or Interlocked. A call that runs
    /// longer than the call timeout is answered "timed out"; one that throws is answered "function threw".
    /// </summary>
    /// <param name="argument">The argument; valid only during the call (the buffer is reused).</param>
    public delegate int CloudFunction(CloudArgument argument);

    /// <summary>Reads an int cloud variable at request time (on the cloud-call thread).</summary>
    public delegate int CloudIntVariable();

    /// <summary>Reads a double cloud variable at request time (on the cloud-call thread).</summary>
    public delegate double CloudDoubleVariable();

    /// <summary>
    /// Reads a string cloud variable at request time (on the cloud-call thread): writes its ASCII/UTF-8
    /// bytes into <paramref name="buffer"/> from <paramref name="offset"/>, at most
    /// <paramref name="capacity"/> bytes, and returns how many it wrote.
    /// </summary>
    public delegate int CloudStringVariable(byte[] buffer, int offset, int capacity);

    /// <summary>Receives a subscribed event (on the cloud-call thread); <paramref name="e"/> is valid only during the call.</summary>
    public delegate void CloudEventHandler(CloudEventData e);
}
