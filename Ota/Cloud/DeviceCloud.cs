using System;
using System.Threading;
using CoreFirmware.Drivers.Cloud;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Update;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The device side of the Spark cloud API (<see cref="ICloud"/>): variables, functions, events,
    /// subscriptions and time, plus the system's own status events ("corefw/boot" once per session,
    /// "corefw/ota" "confirmed ..." when a test image is confirmed).
    /// </summary>
    /// <remarks>
    /// <para>Wire (spark-protocol 0.1.6's Messages): Describe GET "d" is answered 2.04 with
    /// {"f":[names],"v":{name:type}} (types 2 int32, 4 string, 9 double); VariableRequest GET "v"/name is
    /// answered 2.05 with the value (int32 big-endian, double little-endian as on the Core, string
    /// bytes); FunctionCall POST "f"/name with the argument as Uri-Query (parts joined with '&amp;') is
    /// answered 2.04 with the int32 result, big-endian. Errors carry a text: 4.04 "unknown variable" /
    /// "unknown function", 4.00 "argument too long", 5.03 "busy: ..." (a call still running), 5.04
    /// "timed out", 5.00 "function threw" / "variable threw". Every answer is NON with the request's
    /// token (the cloud routes by token).</para>
    /// <para>Threads: the link thread calls <see cref="OnMessage"/> and <see cref="Poll"/>; app callbacks
    /// run on one cloud-call thread of this object's own, one at a time. The link thread hands a call
    /// over (a fixed slot: the token, the entry, the argument copied into a fixed buffer) and returns;
    /// a call still unanswered after <see cref="CallTimeoutMilliseconds"/> is answered "timed out" by
    /// the link thread, and its late result is dropped; while a callback still runs, further calls are
    /// answered "busy" at once. So no callback, however slow or throwing, holds the link or an OTA.</para>
    /// <para>Allocation: registration builds the name bytes and the Describe text once; a request, an
    /// event, a publish or a time sync allocates nothing (texts live in static readonly fields).</para>
    /// </remarks>
    public sealed class DeviceCloud : ICloud, ICloudMessageHandler
    {
        /// <summary>Variables (Spark Core: 10).</summary>
        public const int VariableCapacity = 10;

        /// <summary>Functions (Spark Core: 4).</summary>
        public const int FunctionCapacity = 4;

        /// <summary>Subscriptions (Spark Core: 4).</summary>
        public const int SubscriptionCapacity = 4;

        /// <summary>Longest variable or function name (Spark Core: 12).</summary>
        public const int NameCapacity = 12;

        /// <summary>Longest string variable value: fits one frame with the CoAP header and token.</summary>
        public const int StringVariableCapacity = 512;

        /// <summary>Describe text buffer (10 variables and 4 functions of 12 characters fit with room to spare).</summary>
        public const int DescribeCapacity = 512;

        /// <summary>Default answer bound for a callback (the cloud waits longer).</summary>
        public const int DefaultCallTimeoutMilliseconds = 5000;

        /// <summary>GetTime interval once the time is known (Spark firmware: once a day; here hourly).</summary>
        public const int DefaultTimeSyncMilliseconds = 3600000;

        /// <summary>GetTime retry when no answer came.</summary>
        public const int TimeRetryMilliseconds = 10000;

        /// <summary>Publish rate: one token per this many ms (about 1 per second, as the Spark cloud allowed).</summary>
        public const int PublishIntervalMilliseconds = 1000;

        /// <summary>Publish burst (the Spark cloud's 4).</summary>
        public const int PublishBurst = 4;

        private const int TypeInt = 2;
        private const int TypeString = 4;
        private const int TypeDouble = 9;

        private const int GatewayTimeout = 0xA4; // 5.04

        private const int JobNone = 0;
        private const int JobVariable = 1;
        private const int JobFunction = 2;
        private const int JobEvent = 3;

        // Answer texts: static fields, not literals (nanoCLR allocates a string per ldstr).
        private static readonly byte[] UnknownVariable = Bytes("unknown variable");
        private static readonly byte[] UnknownFunction = Bytes("unknown function");
        private static readonly byte[] ArgumentTooLong = Bytes("argument too long");
        private static readonly byte[] Busy = Bytes("busy: a previous call is still running");
        private static readonly byte[] TimedOut = Bytes("timed out");
        private static readonly byte[] FunctionThrew = Bytes("function threw");
        private static readonly byte[] VariableThrew = Bytes("variable threw");
        private static readonly byte[] BootEvent = Bytes("corefw/boot");
        private static readonly byte[] OtaEvent = Bytes("corefw/ota");

        private readonly object _sync = new object();
        private readonly object _publishSync = new object();
        private readonly ICloudChannel _channel;
        private readonly IClock _clock;
        private readonly IUpdateNotice _updates;

        private readonly byte[][] _varNames = new byte[VariableCapacity][];
        private readonly int[] _varTypes = new int[VariableCapacity];
        private readonly CloudIntVariable[] _intVars = new CloudIntVariable[VariableCapacity];
        private readonly CloudDoubleVariable[] _doubleVars = new CloudDoubleVariable[VariableCapacity];
        private readonly CloudStringVariable[] _stringVars = new CloudStringVariable[VariableCapacity];
        private int _varCount;
        private readonly byte[][] _fnNames = new byte[FunctionCapacity][];
        private readonly CloudFunction[] _functions = new CloudFunction[FunctionCapacity];
        private int _fnCount;
        private readonly byte[][] _subPrefixes = new byte[SubscriptionCapacity][];
        private readonly CloudEventHandler[] _subHandlers = new CloudEventHandler[SubscriptionCapacity];
        private readonly bool[] _subSent = new bool[SubscriptionCapacity];
        private int _subCount;
        private readonly byte[] _describe = new byte[DescribeCapacity];
        private int _describeLength;

        // The call slot (guarded by _sync): one call at a time.
        private readonly byte[] _jobToken = new byte[CoapMessage.MaxTokenLength];
        private int _jobTokenLength;
        private int _jobKind;
        private int _jobIndex;
        private bool _jobAnswered;
        private long _jobStartMs;
        private readonly CloudArgument _argument = new CloudArgument();
        private readonly CloudEventData _event = new CloudEventData();
        private readonly byte[] _result = new byte[StringVariableCapacity];
        private readonly AutoResetEvent _work = new AutoResetEvent(false);
        private Thread _worker;
        private int _stop;

        // Publish (guarded by _publishSync).
        private readonly byte[] _pubName = new byte[CloudEventData.MaxNameLength];
        private readonly byte[] _pubData = new byte[CloudEventData.MaxDataLength];
        private long _publishCreditMs = PublishBurst * PublishIntervalMilliseconds;
        private long _publishLastMs = -1;

        // Link-thread state.
        private bool _up;
        private long _nextTimeSyncMs;
        private bool _timeOutstanding;
        private int _timeMessageId;
        private long _timeSentMs;
        private long _timeBase;
        private long _timeAtMs;
        private int _timeValid;
        private string _bootReport;
        private bool _bootReported;
        private IDeploymentControl _deployment;
        private DeploymentStatus _lastDeployment;
        private string _confirmedText;
        private bool _confirmUnsent;
        private readonly byte[] _statusBuffer = new byte[CloudEventData.MaxDataLength];

        private int _calls;
        private int _timeouts;
        private int _busyRefusals;
        private int _eventsDropped;
        private int _published;
        private int _rateLimited;

        /// <summary>Creates the API over the link's channel; <paramref name="updates"/> refuses publishes during an update.</summary>
        public DeviceCloud(ICloudChannel channel, IClock clock, IUpdateNotice updates)
        {
            if (channel == null) throw new ArgumentNullException("channel");
            if (clock == null) throw new ArgumentNullException("clock");
            _channel = channel;
            _clock = clock;
            _updates = updates;
            CallTimeoutMilliseconds = DefaultCallTimeoutMilliseconds;
            TimeSyncMilliseconds = DefaultTimeSyncMilliseconds;
            RebuildDescribe();
        }

        /// <summary>How long a callback may take before the caller is answered "timed out".</summary>
        public int CallTimeoutMilliseconds { get; set; }

        /// <summary>GetTime interval once the time is known.</summary>
        public int TimeSyncMilliseconds { get; set; }

        /// <summary>Calls (variables and functions) handed to the cloud-call thread.</summary>
        public int Calls { get { return _calls; } }

        /// <summary>Calls answered "timed out".</summary>
        public int Timeouts { get { return _timeouts; } }

        /// <summary>Calls answered "busy" because a callback still ran.</summary>
        public int BusyRefusals { get { return _busyRefusals; } }

        /// <summary>Subscribed events dropped because a callback still ran.</summary>
        public int EventsDropped { get { return _eventsDropped; } }

        /// <summary>Events the app published.</summary>
        public int Published { get { return _published; } }

        /// <summary>Publishes refused by the rate limit.</summary>
        public int RateLimited { get { return _rateLimited; } }

        /// <summary>Starts the cloud-call thread.</summary>
        public void Start()
        {
            if (_worker != null) return;
            _worker = _guard.NewThread(WorkerLoop);
            _worker.Start();
        }

        /// <summary>Stops the cloud-call thread (a callback that never returns leaves it behind); true when it ended in time.</summary>
        public bool Stop(int timeoutMilliseconds)
        {
            Interlocked.Exchange(ref _stop, 1);
            _work.Set();
            Thread t = _worker;
            return t == null || t.Join(timeoutMilliseconds);
        }

        /// <summary>
        /// What this boot runs, sent once per session as the private event "corefw/boot":
        /// "&lt;version&gt; &lt;testing|confirmed&gt; &lt;ran|installed|rolled-back|factory&gt;" or "safe-mode &lt;reason&gt;".
        /// <paramref name="deployment"/> (may be null) is watched: its change from Testing to Confirmed sends
        /// "corefw/ota" "confirmed &lt;version&gt;".
        /// </summary>
        public void SetBootReport(string report, IDeploymentControl deployment, string version)
        {
            lock (_sync)
            {
                _bootReport = report;
                _bootReported = false;
                _deployment = deployment;
                _lastDeployment = deployment == null ? DeploymentStatus.Confirmed : deployment.Status;
                _confirmedText = "confirmed " + version;
            }
        }

        // ------------------------------------------------------------------ ICloud

        /// <inheritdoc />
        public bool Connected { get { return _channel.IsConnected; } }

        /// <inheritdoc />
        public int MaxVariables { get { return VariableCapacity; } }

        /// <inheritdoc />
        public int MaxFunctions { get { return FunctionCapacity; } }

        /// <inheritdoc />
        public int MaxSubscriptions { get { return SubscriptionCapacity; } }

        /// <inheritdoc />
        public int MaxNameLength { get { return NameCapacity; } }

        /// <inheritdoc />
        public int MaxStringVariableLength { get { return StringVariableCapacity; } }

        /// <inheritdoc />
        public bool Variable(string name, CloudIntVariable read)
        {
            if (read == null) return false;
            return AddVariable(name, TypeInt, read, null, null);
        }

        /// <inheritdoc />
        public bool Variable(string name, CloudDoubleVariable read)
        {
            if (read == null) return false;
            return AddVariable(name, TypeDouble, null, read, null);
        }

        /// <inheritdoc />
        public bool Variable(string name, CloudStringVariable read)
        {
            if (read == null) return false;
            return AddVariable(name, TypeString, null, null, read);
        }

        /// <inheritdoc />
        public bool Function(string name, CloudFunction function)
        {
            if (function == null || !ValidName(name, NameCapacity)) return false;
            lock (_sync)
            {
                if (_fnCount >= FunctionCapacity || IndexOf(_fnNames, _fnCount, name) >= 0) return false;
                _fnNames[_fnCount] = Bytes(name);
                _functions[_fnCount] = function;
                _fnCount++;
                RebuildDescribe();
                return true;
            }
        }

        /// <inheritdoc />
        public bool Subscribe(string prefix, CloudEventHandler handler)
        {
            if (handler == null || prefix == null || prefix.Length > CloudEventData.MaxNameLength) return false;
            lock (_sync)
            {
                if (_subCount >= SubscriptionCapacity) return false;
                _subPrefixes[_subCount] = Bytes(prefix);
                _subHandlers[_subCount] = handler;
                _subSent[_subCount] = false;
                _subCount++;
                return true;
            }
        }

        /// <inheritdoc />
        public PublishResult Publish(string name, string data, int ttlSeconds, bool isPrivate)
        {
            if (data != null && data.Length > CloudEventData.MaxDataLength) return PublishResult.InvalidArgument;
            return PublishCore(name, data, null, 0, 0, ttlSeconds, isPrivate);
        }

        /// <inheritdoc />
        public PublishResult Publish(string name, byte[] data, int offset, int count, int ttlSeconds, bool isPrivate)
        {
            if (count < 0 || count > CloudEventData.MaxDataLength || (count > 0 && (data == null || offset < 0 || offset > data.Length - count)))
            {
                return PublishResult.InvalidArgument;
            }

            return PublishCore(name, null, data, offset, count, ttlSeconds, isPrivate);
        }

        private PublishResult PublishCore(string name, string text, byte[] data, int offset, int count, int ttlSeconds, bool isPrivate)
        {
            if (name == null || name.Length == 0 || name.Length > CloudEventData.MaxNameLength) return PublishResult.InvalidArgument;
            if (ttlSeconds < 0) return PublishResult.InvalidArgument;
            if (!_channel.IsConnected) return PublishResult.NotConnected;
            if (_updates != null && _updates.UpdatesPending) return PublishResult.UpdateInProgress;
            lock (_publishSync)
            {
                long now = _clock.UptimeMilliseconds;
                if (_publishLastMs >= 0)
                {
                    _publishCreditMs += now - _publishLastMs;
                    long cap = PublishBurst * PublishIntervalMilliseconds;
                    if (_publishCreditMs > cap) _publishCreditMs = cap;
                }

                _publishLastMs = now;
                if (_publishCreditMs < PublishIntervalMilliseconds)
                {
                    _rateLimited++;
                    return PublishResult.RateLimited;
                }

                int n = Ascii.Put(name, _pubName, 0);
                byte[] payload = data;
                int at = offset;
                int d = count;
                if (text != null)
                {
                    d = Ascii.Put(text, _pubData, 0);
                    payload = _pubData;
                    at = 0;
                }

                if (!_channel.PublishEvent(!isPrivate, _pubName, n, ttlSeconds, payload, at, d)) return PublishResult.SendFailed;
                _publishCreditMs -= PublishIntervalMilliseconds;
                _published++;
                return PublishResult.Ok;
            }
        }

        /// <inheritdoc />
        public bool TimeValid { get { return Interlocked.CompareExchange(ref _timeValid, 0, 0) != 0; } }

        /// <inheritdoc />
        public long UnixTime
        {
            get
            {
                lock (_sync)
                {
                    if (_timeValid == 0) return 0;
                    return _timeBase + (_clock.UptimeMilliseconds - _timeAtMs) / 1000;
                }
            }
        }

        // ------------------------------------------------------------------ ICloudMessageHandler (link thread)

        /// <inheritdoc />
        public void OnLinkUp()
        {
            _up = true;
            _timeOutstanding = false;
            _nextTimeSyncMs = _clock.UptimeMilliseconds; // GetTime at connect
            lock (_sync)
            {
                _bootReported = false;
                for (int i = 0; i < _subCount; i++) _subSent[i] = false;
            }
        }

        /// <inheritdoc />
        public void OnLinkDown()
        {
            _up = false;
            lock (_sync)
            {
                // A call in flight cannot be answered on a new session (its token is this session's).
                if (_jobKind != JobNone) _jobAnswered = true;
            }
        }

        /// <inheritdoc />
        public void Poll()
        {
            if (!_up) return;
            long now = _clock.UptimeMilliseconds;
            CheckCallTimeout(now);
            SyncTime(now);
            SendStatusEvents();
            SendSubscriptions();
        }

        /// <inheritdoc />
        public bool OnMessage(MessageKind kind, CoapMessage m)
        {
            switch (kind)
            {
                case MessageKind.Describe:
                    lock (_sync)
                    {
                        _channel.SendResponse(m.Token, m.TokenLength, CoapCode.Changed, _describe, 0, _describeLength);
                    }
                    return true;
                case MessageKind.VariableRequest:
                    if (m.Type == CoapType.Confirmable) StartCall(JobVariable, m);
                    return true;
                case MessageKind.FunctionCall:
                    if (m.Type == CoapType.Confirmable) StartCall(JobFunction, m);
                    return true;
                case MessageKind.PublicEvent:
                case MessageKind.PrivateEvent:
                    DeliverEvent(m);
                    return true;
                case MessageKind.Response:
                    if (_timeOutstanding && m.MessageId == _timeMessageId && m.Type == CoapType.Acknowledgement)
                    {
                        _timeOutstanding = false;
                        if (CoapCode.IsSuccess(m.Code) && m.PayloadLength >= 4)
                        {
                            uint seconds = SparkMessages.ReadUInt32(m.Buffer, m.PayloadOffset);
                            lock (_sync)
                            {
                                _timeBase = seconds;
                                _timeAtMs = _clock.UptimeMilliseconds;
                                _timeValid = 1;
                            }

                            _nextTimeSyncMs = _clock.UptimeMilliseconds + TimeSyncMilliseconds;
                        }

                        return true;
                    }

                    return false;
                default:
                    return false;
            }
        }

        // ------------------------------------------------------------------ calls

        private void StartCall(int kind, CoapMessage m)
        {
            int nameAt = m.FindOption(CoapOption.UriPath, 1);
            int index = -1;
            lock (_sync)
            {
                if (nameAt >= 0)
                {
                    index = kind == JobVariable
                        ? Find(_varNames, _varCount, m.Buffer, m.GetOptionOffset(nameAt), m.GetOptionLength(nameAt))
                        : Find(_fnNames, _fnCount, m.Buffer, m.GetOptionOffset(nameAt), m.GetOptionLength(nameAt));
                }

                if (index < 0)
                {
                    byte[] text = kind == JobVariable ? UnknownVariable : UnknownFunction;
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, text, 0, text.Length);
                    return;
                }

                if (_jobKind != JobNone)
                {
                    _busyRefusals++;
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.ServiceUnavailable, Busy, 0, Busy.Length);
                    return;
                }

                if (kind == JobFunction && !ReadArgument(m))
                {
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, ArgumentTooLong, 0, ArgumentTooLong.Length);
                    return;
                }

                for (int i = 0; i < m.TokenLength; i++) _jobToken[i] = m.Token[i];
                _jobTokenLength = m.TokenLength;
                _jobKind = kind;
                _jobIndex = index;
                _jobAnswered = false;
                _jobStartMs = _clock.UptimeMilliseconds;
                _calls++;
            }

            _work.Set();
        }

        // The argument: every Uri-Query, joined with '&' (spark-protocol splits the query string at '&').
        private bool ReadArgument(CoapMessage m)
        {
            _argument.Clear();
            for (int q = 0; ; q++)
            {
                int at = m.FindOption(CoapOption.UriQuery, q);
                if (at < 0) return true;
                if (q > 0 && !_argument.Append(Ampersand, 0, 1)) return false;
                if (!_argument.Append(m.Buffer, m.GetOptionOffset(at), m.GetOptionLength(at))) return false;
            }
        }

        private static readonly byte[] Ampersand = new byte[] { (byte)'&' };

        private void DeliverEvent(CoapMessage m)
        {
            int nameAt = m.FindOption(CoapOption.UriPath, 1);
            if (nameAt < 0) return;
            int nameOffset = m.GetOptionOffset(nameAt);
            int nameLength = m.GetOptionLength(nameAt);
            lock (_sync)
            {
                int index = -1;
                for (int i = 0; i < _subCount; i++)
                {
                    if (StartsWith(m.Buffer, nameOffset, nameLength, _subPrefixes[i]))
                    {
                        index = i;
                        break;
                    }
                }

                if (index < 0) return;
                if (_jobKind != JobNone)
                {
                    _eventsDropped++;
                    return;
                }

                _event.Set(m.Buffer, nameOffset, nameLength, m.Buffer, m.PayloadOffset, m.PayloadLength);
                _jobKind = JobEvent;
                _jobIndex = index;
                _jobAnswered = true; // nothing to answer
                _jobStartMs = _clock.UptimeMilliseconds;
            }

            _work.Set();
        }

        private void CheckCallTimeout(long now)
        {
            bool answer = false;
            lock (_sync)
            {
                if (_jobKind != JobNone && _jobKind != JobEvent && !_jobAnswered && now - _jobStartMs > CallTimeoutMilliseconds)
                {
                    _jobAnswered = true;
                    _timeouts++;
                    answer = true;
                }

                if (answer)
                {
                    _channel.SendResponse(_jobToken, _jobTokenLength, GatewayTimeout, TimedOut, 0, TimedOut.Length);
                }
            }
        }

        private readonly ThreadGuard _guard = new ThreadGuard("cloud calls");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void WorkerLoop()
        {
            while (Interlocked.CompareExchange(ref _stop, 0, 0) == 0)
            {
                _work.WaitOne(1000, false);
                int kind;
                int index;
                lock (_sync)
                {
                    kind = _jobKind;
                    index = _jobIndex;
                }

                if (kind == JobNone) continue;
                int code;
                int length = 0;
                byte[] text = null;
                if (kind == JobEvent)
                {
                    CloudEventHandler handler;
                    lock (_sync) handler = _subHandlers[index];
                    try
                    {
                        handler(_event);
                    }
                    catch (Exception)
                    {
                        // An app handler's fault is the app's: the event is simply done.
                    }

                    lock (_sync) _jobKind = JobNone;
                    continue;
                }

                if (kind == JobVariable)
                {
                    code = ReadVariable(index, out length, out text);
                }
                else
                {
                    code = CallFunction(index, out length, out text);
                }

                lock (_sync)
                {
                    if (!_jobAnswered)
                    {
                        _jobAnswered = true;
                        if (text != null)
                        {
                            _channel.SendResponse(_jobToken, _jobTokenLength, code, text, 0, text.Length);
                        }
                        else
                        {
                            _channel.SendResponse(_jobToken, _jobTokenLength, code, _result, 0, length);
                        }
                    }

                    _jobKind = JobNone;
                }
            }
        }

        private int ReadVariable(int index, out int length, out byte[] text)
        {
            length = 0;
            text = null;
            int type;
            CloudIntVariable i;
            CloudDoubleVariable d;
            CloudStringVariable s;
            lock (_sync)
            {
                type = _varTypes[index];
                i = _intVars[index];
                d = _doubleVars[index];
                s = _stringVars[index];
            }

            try
            {
                if (type == TypeInt)
                {
                    SparkMessages.WriteUInt32(_result, 0, (uint)i());
                    length = 4;
                }
                else if (type == TypeDouble)
                {
                    long bits = BitConverter.DoubleToInt64Bits(d());
                    for (int b = 0; b < 8; b++) _result[b] = (byte)(bits >> (8 * b)); // little-endian, as the Core sends doubles
                    length = 8;
                }
                else
                {
                    length = s(_result, 0, _result.Length);
                    if (length < 0) length = 0;
                    if (length > _result.Length) length = _result.Length;
                }
            }
            catch (Exception)
            {
                text = VariableThrew;
                return CoapCode.InternalServerError;
            }

            return CoapCode.Content;
        }

        private int CallFunction(int index, out int length, out byte[] text)
        {
            length = 0;
            text = null;
            CloudFunction f;
            lock (_sync) f = _functions[index];
            int r;
            try
            {
                r = f(_argument);
            }
            catch (Exception)
            {
                text = FunctionThrew;
                return CoapCode.InternalServerError;
            }

            SparkMessages.WriteUInt32(_result, 0, (uint)r);
            length = 4;
            return CoapCode.Changed;
        }

        // ------------------------------------------------------------------ time, status, subscriptions

        private void SyncTime(long now)
        {
            if (_timeOutstanding)
            {
                if (now - _timeSentMs < TimeRetryMilliseconds) return;
                _timeOutstanding = false;
                _nextTimeSyncMs = now;
            }

            if (now < _nextTimeSyncMs) return;
            int id;
            if (_channel.SendGetTime(out id))
            {
                _timeMessageId = id;
                _timeOutstanding = true;
                _timeSentMs = now;
            }
            else
            {
                _nextTimeSyncMs = now + TimeRetryMilliseconds;
            }
        }

        private void SendStatusEvents()
        {
            string boot = null;
            string confirmed = null;
            lock (_sync)
            {
                if (!_bootReported && _bootReport != null) boot = _bootReport;
                IDeploymentControl deployment = _deployment;
                if (deployment != null)
                {
                    DeploymentStatus now = deployment.Status;
                    if (now != _lastDeployment)
                    {
                        if (now == DeploymentStatus.Confirmed && _lastDeployment == DeploymentStatus.Testing) _confirmUnsent = true;
                        _lastDeployment = now;
                    }
                }

                if (_confirmUnsent) confirmed = _confirmedText;
            }

            if (boot != null && SendStatus(BootEvent, boot))
            {
                lock (_sync) _bootReported = true;
            }

            if (confirmed != null && SendStatus(OtaEvent, confirmed))
            {
                lock (_sync) _confirmUnsent = false;
            }
        }

        private bool SendStatus(byte[] name, string text)
        {
            int n = Ascii.Put(text, _statusBuffer, 0);
            return _channel.PublishEvent(false, name, name.Length, 0, _statusBuffer, 0, n);
        }

        private void SendSubscriptions()
        {
            lock (_sync)
            {
                for (int i = 0; i < _subCount; i++)
                {
                    if (_subSent[i]) continue;
                    int id;
                    if (_channel.SendSubscribe(_subPrefixes[i], _subPrefixes[i].Length, out id)) _subSent[i] = true;
                    return; // one a slice
                }
            }
        }

        // ------------------------------------------------------------------ tables

        private bool AddVariable(string name, int type, CloudIntVariable i, CloudDoubleVariable d, CloudStringVariable s)
        {
            if (!ValidName(name, NameCapacity)) return false;
            lock (_sync)
            {
                if (_varCount >= VariableCapacity || IndexOf(_varNames, _varCount, name) >= 0) return false;
                _varNames[_varCount] = Bytes(name);
                _varTypes[_varCount] = type;
                _intVars[_varCount] = i;
                _doubleVars[_varCount] = d;
                _stringVars[_varCount] = s;
                _varCount++;
                RebuildDescribe();
                return true;
            }
        }

        // {"f":["a","b"],"v":{"x":2,"y":9}}: names are checked ASCII letters, digits, '_' and '-', so no escaping.
        private void RebuildDescribe()
        {
            int p = 0;
            p = Put(QuoteF, p);
            for (int i = 0; i < _fnCount; i++)
            {
                if (i > 0) _describe[p++] = (byte)',';
                _describe[p++] = (byte)'"';
                p = Put(_fnNames[i], p);
                _describe[p++] = (byte)'"';
            }

            p = Put(QuoteV, p);
            for (int i = 0; i < _varCount; i++)
            {
                if (i > 0) _describe[p++] = (byte)',';
                _describe[p++] = (byte)'"';
                p = Put(_varNames[i], p);
                _describe[p++] = (byte)'"';
                _describe[p++] = (byte)':';
                p = Ascii.PutDecimal((uint)_varTypes[i], _describe, p);
            }

            _describe[p++] = (byte)'}';
            _describe[p++] = (byte)'}';
            _describeLength = p;
        }

        private static readonly byte[] QuoteF = Bytes("{\"f\":[");
        private static readonly byte[] QuoteV = Bytes("],\"v\":{");

        private int Put(byte[] b, int p)
        {
            for (int i = 0; i < b.Length; i++) _describe[p + i] = b[i];
            return p + b.Length;
        }

        private static bool ValidName(string name, int max)
        {
            if (name == null || name.Length == 0 || name.Length > max) return false;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                if (!ok) return false;
            }

            return true;
        }

        private static int IndexOf(byte[][] names, int count, string name)
        {
            for (int i = 0; i < count; i++)
            {
                byte[] n = names[i];
                if (n.Length != name.Length) continue;
                bool same = true;
                for (int j = 0; j < n.Length && same; j++) same = n[j] == name[j];
                if (same) return i;
            }

            return -1;
        }

        private static int Find(byte[][] names, int count, byte[] buffer, int offset, int length)
        {
            for (int i = 0; i < count; i++)
            {
                byte[] n = names[i];
                if (n.Length != length) continue;
                bool same = true;
                for (int j = 0; j < length && same; j++) same = n[j] == buffer[offset + j];
                if (same) return i;
            }

            return -1;
        }

        private static bool StartsWith(byte[] buffer, int offset, int length, byte[] prefix)
        {
            if (prefix.Length > length) return false;
            for (int i = 0; i < prefix.Length; i++)
            {
                if (buffer[offset + i] != prefix[i]) return false;
            }

            return true;
        }

        private static byte[] Bytes(string text)
        {
            byte[] b = new byte[text.Length];
            Ascii.Put(text, b, 0);
            return b;
        }
    }
}
