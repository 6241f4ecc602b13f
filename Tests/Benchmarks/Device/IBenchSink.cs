#nullable disable
namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// Where the device benchmark (<see cref="DeviceBench"/>) takes its clock and puts its figures. On
    /// nanoCLR it is <see cref="ConsoleBenchSink"/> (lines the host runner parses); on CoreCLR the host
    /// runner passes its own, which measures the same code in-process for the CoreCLR column.
    /// </summary>
    public interface IBenchSink
    {
        /// <summary>Now, in 100-ns ticks.</summary>
        long Now { get; }

        /// <summary>How long to run a measurement's warm-up before timing it, in ticks.</summary>
        long WarmUpTicks { get; }

        /// <summary>How long one timed measurement runs (at least), in ticks.</summary>
        long TargetTicks { get; }

        /// <summary>The timed part of figure <paramref name="id"/> starts right after this call (the warm-up is over).</summary>
        void Begin(string id);

        /// <summary>A rate: <paramref name="work"/> units of <paramref name="unit"/> ("bytes", "ops") done in <paramref name="ticks"/>.</summary>
        void Rate(string id, long work, string unit, long ticks);

        /// <summary>
        /// The managed heap in use now, after a full collection, labelled; <paramref name="root"/> is the
        /// object graph the figure is about (null: none), which the host uses to convert 64-bit figures.
        /// </summary>
        void Heap(string label, object root);

        /// <summary>Starts counting what the following operations allocate.</summary>
        void AllocationBegin(string id);

        /// <summary>Called after every operation between <see cref="AllocationBegin"/> and <see cref="AllocationEnd"/>.</summary>
        void AllocationStep();

        /// <summary>Ends the count over <paramref name="operations"/> operations.</summary>
        void AllocationEnd(string id, int operations);

        /// <summary>Free text for the log (not a figure).</summary>
        void Note(string text);
    }
}
