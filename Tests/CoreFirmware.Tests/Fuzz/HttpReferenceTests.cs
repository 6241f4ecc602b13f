using System.Text;
using CoreFirmware.Fuzz.Targets;
using Xunit;

namespace CoreFirmware.Tests.Fuzz;

/// <summary>
/// The HTTP fuzz targets' oracle (<see cref="HttpReference"/>) refuses what issue 12 found the
/// client accepting, so the targets' check "every response the client takes, the RFC reading takes"
/// flags each of those; and it takes ordinary responses with the body the client gives.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class HttpReferenceTests
{
    private static HttpReference.Response Read(string response) => HttpReference.Read(Encoding.Latin1.GetBytes(response), 512);

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\rTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: a\rb\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n")]
    public void RefusesWhatTheClientUsedToTake(string response)
    {
        Assert.False(Read(response).Ok);
    }

    [Fact]
    public void TakesOrdinaryResponses()
    {
        var chunked = Read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 ; a=\"b c\"\r\nhello\r\n0\r\nX: 1\r\n\r\n");
        Assert.True(chunked.Ok, chunked.Why);
        Assert.Equal("hello", Encoding.Latin1.GetString(chunked.Body));
        var lengths = Read("HTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\nContent-Length: 2\nContent-Length: 2, 02\n\nhi and more");
        Assert.True(lengths.Ok, lengths.Why);
        Assert.Equal(201, lengths.Status);
        Assert.Equal("hi", Encoding.Latin1.GetString(lengths.Body));
        var close = Read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        Assert.True(close.Ok, close.Why);
        Assert.Equal("5\r\nhello\r\n0\r\n\r\n", Encoding.Latin1.GetString(close.Body));
    }
}
