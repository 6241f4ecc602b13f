using CoreFirmware.Application.Http;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Http
{
    /// <summary>The body decoder (Application/Http/HttpBodyDecoder) through the REST client: length, chunked and close framing, limits.</summary>
    [TestClass]
    public class HttpBodyTests
    {
        private const string Ok = "HTTP/1.1 200 OK\r\n";
        private const string Chunked = "Transfer-Encoding: chunked\r\n\r\n";

        [TestMethod]
        public void ContentLengthBodiesInEveryPieceSize()
        {
            HttpTesting.InEveryPieceSize(Ok + "Content-Length: 11\r\n\r\nhello world", HttpResult.Ok, "hello world");
            HttpTesting.InEveryPieceSize(Ok + "Content-Length: 0\r\n\r\n", HttpResult.Ok, "");
            HttpTesting.InEveryPieceSize(Ok + "Content-Length: 64\r\n\r\n" + new string('z', 64), HttpResult.Ok, new string('z', 64));
        }

        [TestMethod]
        public void BytesAfterTheContentLengthAreIgnored()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get(Ok + "Content-Length: 3\r\n\r\nabcdef", 0, out client));
            Assert.AreEqual("abc", HttpTesting.Body(client));
        }

        [TestMethod]
        public void ChunkedBodiesInEveryPieceSize()
        {
            HttpTesting.InEveryPieceSize(Ok + Chunked + "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", HttpResult.Ok, "Wikipedia");
            HttpTesting.InEveryPieceSize(Ok + Chunked + "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", HttpResult.Ok, "0123456789abcdefghij");
            HttpTesting.InEveryPieceSize(Ok + Chunked + "3;name=value\r\nabc\r\n0;last\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", HttpResult.Ok, "abc");
            HttpTesting.InEveryPieceSize(Ok + Chunked + "3\nabc\n0\n\n", HttpResult.Ok, "abc");
            HttpTesting.InEveryPieceSize(Ok + Chunked + "0\r\n\r\n", HttpResult.Ok, "");
        }

        [TestMethod]
        public void BothFramingsAreAnErrorAndOnlyAFinalChunkedMeansChunked()
        {
            RestClient client;
            // Transfer-Encoding and Content-Length together: "ought to be handled as an error" (RFC 9112
            // section 6.3, item 3: a sign of response splitting).
            Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Get(Ok + "Content-Length: 2\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, out client));
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get(Ok + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0, out client));
            Assert.AreEqual("abc", HttpTesting.Body(client));
            // Another final coding: the body runs to the close, as RFC 9112 section 6.3 says.
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get(Ok + "Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc", 0, out client));
            Assert.AreEqual("3\r\nabc", HttpTesting.Body(client));
        }

        [TestMethod]
        public void WithoutLengthOrChunkingTheBodyRunsToTheClose()
        {
            HttpTesting.InEveryPieceSize(Ok + "Server: x\r\n\r\nuntil the end", HttpResult.Ok, "until the end");
            HttpTesting.InEveryPieceSize("HTTP/1.0 200 OK\r\n\r\n", HttpResult.Ok, "");
        }

        [TestMethod]
        public void NoContentAndNotModifiedHaveNoBody()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", 0, out client));
            Assert.AreEqual(0, client.BodyLength);
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.1 304 Not Modified\r\n\r\n", 0, out client));
            Assert.AreEqual(304, client.StatusCode);
            Assert.AreEqual(0, client.BodyLength);
        }

        [TestMethod]
        public void BodiesLargerThanTheBufferAreTooLargeInEveryFraming()
        {
            string big = new string('x', 65);
            HttpTesting.InEveryPieceSize(Ok + "Content-Length: 65\r\n\r\n" + big, HttpResult.TooLarge, null);
            HttpTesting.InEveryPieceSize(Ok + Chunked + "20\r\n" + new string('a', 32) + "\r\n21\r\n" + new string('b', 33) + "\r\n0\r\n\r\n", HttpResult.TooLarge, null);
            HttpTesting.InEveryPieceSize(Ok + "\r\n" + big, HttpResult.TooLarge, null);
            HttpTesting.InEveryPieceSize(Ok + Chunked + "FFFFFFFFF\r\n", HttpResult.TooLarge, null);
            RestClient client;
            Assert.AreEqual(HttpResult.TooLarge, HttpTesting.Get(Ok + "Content-Length: 99999999999999999999\r\n\r\n", 0, out client));
            Assert.AreEqual(200, client.StatusCode, "status and headers stay valid");
            Assert.AreEqual(0, client.BodyLength, "the body does not");
        }

        [TestMethod]
        public void BodiesCutByTheServerAreTruncated()
        {
            HttpTesting.InEveryPieceSize(Ok + "Content-Length: 10\r\n\r\n12345", HttpResult.Truncated, null);
            HttpTesting.InEveryPieceSize(Ok + Chunked + "4\r\nWiki\r\n5\r\nped", HttpResult.Truncated, null);
            HttpTesting.InEveryPieceSize(Ok + Chunked + "4\r\nWiki\r\n0\r\n", HttpResult.Truncated, null);
        }

        [TestMethod]
        public void MalformedFramingIsRefused()
        {
            string[] chunked =
            {
                "g\r\nabc\r\n0\r\n\r\n", "4\r\nWikiX\r\n0\r\n\r\n", "\r\n", "4\rX", "-1\r\n", "0\r\n\rX",
                "3\r\nabc\r\n0\r\n" + new string('t', 300) + "\r\n\r\n", "3;" + new string('e', 300) + "\r\nabc\r\n0\r\n\r\n",
            };
            for (int i = 0; i < chunked.Length; i++)
            {
                Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result(Ok + Chunked + chunked[i]), chunked[i]);
            }

            string[] lengths = { "abc", "-1", "1 2", "", "0x10", "+5" };
            for (int i = 0; i < lengths.Length; i++)
            {
                Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result(Ok + "Content-Length: " + lengths[i] + "\r\n\r\n"), "Content-Length: " + lengths[i]);
            }
        }
    }
}
