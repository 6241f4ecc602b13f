using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CoreFirmware.Cloud.Cli;

/// <summary>Writes the cloud's information-level log lines to the console (for `corefw serve`).</summary>
internal sealed class ConsoleLoggerFactory(IAnsiConsole console) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(console, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(IAnsiConsole console, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= (category.StartsWith("corefw", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                console.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {formatter(state, exception)}");
            }
        }
    }
}
