#nullable disable
using System;
using System.Threading;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// The device benchmark's output on nanoCLR: one line per figure, for the host runner
    /// (Tests/Benchmarks, NanoBenchmark) to parse.
    /// <code>
    /// @@begin &lt;id&gt;                           the timed part of figure id starts (after a pause)
    /// @@bench &lt;id&gt; &lt;work&gt; &lt;unit&gt; &lt;ticks&gt;   work units done in ticks (100 ns) of DateTime.UtcNow
    ///                                         (then a pause): the host takes the process's CPU time
    ///                                         at both lines, during the pauses
    /// @@heap &lt;label&gt;                         the heap-instrumented nanoCLR runs a full GC and prints
    ///                                         "[heap] &lt;label&gt;: total T, free F, in use U bytes" instead
    /// @@alloc &lt;id&gt; &lt;operations&gt; &lt;collections&gt; &lt;last&gt;
    ///                                         collections during the operations, and the operation
    ///                                         after which the last one was seen, following a
    ///                                         "@@heap alloc:&lt;id&gt;" mark (a full GC)
    /// @@mode timing|heap, @@note &lt;text&gt;, @@end, @@error &lt;what&gt; (DeviceBenchProgram)
    /// </code>
    /// Bytes allocated per operation, run with a small heap (NANOCLR_HEAP_SIZE): a collection comes
    /// when the free bytes F left by the previous one are used up, so k collections by operation n mean
    /// about k x F bytes in n operations (GcWatch sees each at the operation that set it off); none in N
    /// operations means fewer than F / N bytes each.
    /// </summary>
    public sealed class ConsoleBenchSink : IBenchSink
    {
        private GcWatch _watch;
        private int _operations;
        private int _lastCollection;

        /// <inheritdoc />
        public long Now
        {
            get { return DateTime.UtcNow.Ticks; }
        }

        /// <inheritdoc />
        public long WarmUpTicks
        {
            get { return 1000000; } // 0.1 s: nothing to warm up in an interpreter but caches
        }

        /// <inheritdoc />
        public long TargetTicks
        {
            get { return 15000000; } // 1.5 s
        }

        /// <summary>
        /// Idle time around each timed part: the host reads nanoCLR's CPU time when it sees the line, so
        /// the process must not run on while the host gets to it (a sleeping nanoCLR uses no CPU).
        /// </summary>
        public const int PauseMilliseconds = 500;

        /// <inheritdoc />
        public void Begin(string id)
        {
            Console.WriteLine("@@begin " + id);
            Thread.Sleep(PauseMilliseconds);
        }

        /// <inheritdoc />
        public void Rate(string id, long work, string unit, long ticks)
        {
            Console.WriteLine("@@bench " + id + " " + work.ToString() + " " + unit + " " + ticks.ToString());
            Thread.Sleep(PauseMilliseconds);
        }

        /// <inheritdoc />
        public void Heap(string label, object root)
        {
            Console.WriteLine("@@heap " + label);
        }

        /// <inheritdoc />
        public void AllocationBegin(string id)
        {
            Console.WriteLine("@@heap alloc:" + id);
            _operations = 0;
            _lastCollection = 0;
            _watch = new GcWatch();
        }

        /// <inheritdoc />
        public void AllocationStep()
        {
            _operations++;
            if (_watch.Check()) _lastCollection = _operations;
        }

        /// <inheritdoc />
        public void AllocationEnd(string id, int operations)
        {
            Console.WriteLine("@@alloc " + id + " " + operations.ToString() + " " + _watch.Collections.ToString() + " " + _lastCollection.ToString());
            _watch = null;
        }

        /// <inheritdoc />
        public void Note(string text)
        {
            Console.WriteLine("@@note " + text);
        }
    }
}
