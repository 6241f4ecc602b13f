using System;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The reasons of the link's last drops, newest first: a ring of fixed capacity with its own lock,
    /// so any thread may read it while the link's loop adds to it.
    /// </summary>
    internal sealed class CloudDropHistory
    {
        private readonly object _sync = new object();
        private readonly string[] _reasons;
        private int _count;
        private int _next;

        /// <summary>Keeps the last <paramref name="capacity"/> reasons.</summary>
        public CloudDropHistory(int capacity)
        {
            _reasons = new string[capacity];
        }

        /// <summary>Reasons kept (at most the capacity).</summary>
        public int Count
        {
            get { lock (_sync) { return _count; } }
        }

        /// <summary>The <paramref name="age"/>-th most recent reason (0 = newest), or null.</summary>
        public string Get(int age)
        {
            lock (_sync)
            {
                if (age < 0 || age >= _count) return null;
                int i = (_next - 1 - age + _reasons.Length * 2) % _reasons.Length;
                return _reasons[i];
            }
        }

        /// <summary>Keeps <paramref name="reason"/> as the newest, forgetting the oldest when full.</summary>
        public void Add(string reason)
        {
            lock (_sync)
            {
                _reasons[_next] = reason;
                _next = (_next + 1) % _reasons.Length;
                if (_count < _reasons.Length) _count++;
            }
        }
    }
}
