using Xunit;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// Tests that read process-wide figures (the managed heap size) run in this collection, which
/// xunit runs on its own, after the parallel ones, so other tests' allocations do not show up.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolatedCollection
{
    public const string Name = "Isolated (process-wide measurements)";
}
