using System.Net.Http.Headers;
using System.Text.Json;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Cloud;

/// <summary>The REST API as spark-cli uses it: list, info, flash; tokens, unknown and offline devices.</summary>
[Trait("Category", "Cloud")]
public class CloudApiTests
{
    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task ListAndInfoWithValidToken()
    {
        await using var host = await CloudTestHost.StartAsync();
        ScriptedDevice device = await host.ConnectDeviceAsync();
        var offline = host.Cloud.Registry.CreateDevice(name: "spare");

        var (status, list) = await host.GetAsync("v1/devices");
        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        var byId = list.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.True(byId[device.IdHex].GetProperty("connected").GetBoolean());
        Assert.False(byId[offline.IdHex].GetProperty("connected").GetBoolean());
        Assert.Equal("spare", byId[offline.IdHex].GetProperty("name").GetString());

        var (infoStatus, info) = await host.GetAsync("v1/devices/" + device.IdHex);
        Assert.Equal(200, infoStatus);
        Assert.Equal(device.IdHex, info.GetProperty("id").GetString());
        Assert.True(info.GetProperty("connected").GetBoolean());
        Assert.Equal(6, info.GetProperty("product_id").GetInt32());
        Assert.Equal(42, info.GetProperty("firmware_version").GetInt32());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("ota").ValueKind);

        // A name stands in for the id, as in spark-server; the Bearer header works too.
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/devices/spare");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CloudTestHost.Token);
        using HttpResponseMessage byName = await host.Http.SendAsync(request);
        Assert.Equal(200, (int)byName.StatusCode);
        Assert.Contains(offline.IdHex, await byName.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task MissingOrWrongTokenIs401InvalidToken()
    {
        await using var host = await CloudTestHost.StartAsync();
        var device = host.Cloud.Registry.CreateDevice();
        foreach (string path in new[] { "v1/devices", "v1/devices/" + device.IdHex })
        {
            var (noStatus, noBody) = await host.GetAsync(path, token: null);
            Assert.Equal(401, noStatus);
            Assert.Equal("invalid_token", noBody.GetProperty("error").GetString());
            Assert.Equal("The access token was not found", noBody.GetProperty("error_description").GetString());

            var (wrongStatus, wrongBody) = await host.GetAsync(path, token: "not-a-token");
            Assert.Equal(401, wrongStatus);
            Assert.Equal("invalid_token", wrongBody.GetProperty("error").GetString());
            Assert.Equal("The access token provided is invalid.", wrongBody.GetProperty("error_description").GetString());
        }

        var (putNo, _) = await host.PutFileAsync(device.IdHex, new byte[16], token: null);
        Assert.Equal(401, putNo);
        var (putWrong, _) = await host.PutFileAsync(device.IdHex, new byte[16], token: "wrong");
        Assert.Equal(401, putWrong);
        Assert.Null(host.Cloud.GetProgress(device.IdHex)); // nothing was started
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task UnknownDeviceIs404()
    {
        await using var host = await CloudTestHost.StartAsync();
        var (status, body) = await host.GetAsync("v1/devices/0123456789abcdef01234567");
        Assert.Equal(404, status);
        Assert.Equal("Oops, I couldn't find that core", body.GetString());
        var (putStatus, _) = await host.PutFileAsync("0123456789abcdef01234567", new byte[16]);
        Assert.Equal(404, putStatus);
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task FlashToOfflineDeviceFailsLikeSparkServer()
    {
        await using var host = await CloudTestHost.StartAsync();
        var device = host.Cloud.Registry.CreateDevice();
        var (status, body) = await host.PutFileAsync(device.IdHex, new byte[300]);
        Assert.Equal(200, status); // spark-server answers flash failures with 200 and ok:false
        Assert.False(body.GetProperty("ok").GetBoolean());
        JsonElement error = body.GetProperty("errors")[0];
        Assert.Equal(device.IdHex, error.GetProperty("id").GetString());
        Assert.Equal("Update failed - Device is not connected", error.GetProperty("status").GetString());
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task EmptyOrOversizedFileIsRefused()
    {
        await using var host = await CloudTestHost.StartAsync();
        ScriptedDevice device = await host.ConnectDeviceAsync();
        var (_, empty) = await host.PutFileAsync(device.IdHex, Array.Empty<byte>());
        Assert.Equal("Update failed - File was too small!", empty.GetProperty("errors")[0].GetProperty("status").GetString());
        var (_, big) = await host.PutFileAsync(device.IdHex, new byte[640 * 1024 + 1]);
        Assert.Equal("Update failed - File was too big!", big.GetProperty("errors")[0].GetProperty("status").GetString());
    }
}
