using System.Numerics;
using System.Security.Cryptography;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Protocol;

/// <summary>
/// The handshake, device and cloud, end to end with real RSA keys over HostCrypto, checked
/// against independent .NET decoding of each block, plus hostile variants.
/// </summary>
[Trait("Category", "Protocol")]
public class HandshakeTests : IDisposable
{
    private static readonly byte[] DeviceId = ProtocolTestKeys.Hex("48 FF 6B 06 50 67 55 49 19 47 10 87");
    private readonly HostCrypto _crypto = new();
    private readonly Random _rng = new(2014);

    public void Dispose() => _crypto.Dispose();

    private DeviceHandshake NewDevice(ProtocolTestKeys.KeyPair? server = null, ProtocolTestKeys.KeyPair? device = null) =>
        new(_crypto, DeviceId, (device ?? ProtocolTestKeys.Device).PublicSpki, (device ?? ProtocolTestKeys.Device).PrivatePkcs1,
            (server ?? ProtocolTestKeys.Server).PublicSpki);

    private ServerHandshake NewServer(ProtocolTestKeys.KeyPair? server = null) =>
        new(_crypto, (server ?? ProtocolTestKeys.Server).PrivatePkcs1);

    private byte[] Random(int n)
    {
        var b = new byte[n];
        _rng.NextBytes(b);
        return b;
    }

    /// <summary>Runs the steps up to the cloud's 384-byte answer.</summary>
    private (ServerHandshake server, byte[] nonce, byte[] session, byte[] answer, SessionKeys serverKeys) CloudAnswer(
        DeviceHandshake device, ServerHandshake server)
    {
        byte[] nonce = Random(40);
        Assert.Equal(HandshakeResult.Ok, server.SetNonce(nonce, 0, 40));
        var reply = new byte[256];
        Assert.Equal(HandshakeResult.Ok, device.BuildDeviceReply(nonce, 0, 40, reply, 0, reply.Length, out int written));
        Assert.Equal(256, written);
        Assert.Equal(HandshakeResult.Ok, server.ReadDeviceReply(reply, 0, 256));
        byte[] session = Random(40);
        var answer = new byte[384];
        var serverKeys = new SessionKeys();
        Assert.Equal(HandshakeResult.Ok, server.BuildSessionKey(server.CopyOfferedKey(), session, 0, 40, answer, 0, 384,
            serverKeys, out written));
        Assert.Equal(384, written);
        return (server, nonce, session, answer, serverKeys);
    }

    [Fact]
    public void DeviceAndCloudAgreeOnSessionKeys()
    {
        var device = NewDevice();
        var (server, _, session, answer, serverKeys) = CloudAnswer(device, NewServer());
        Assert.Equal(DeviceId, server.DeviceId);
        Assert.Equal(ProtocolTestKeys.Device.PublicSpki, server.CopyOfferedKey());
        Assert.Equal(Handshake.DevicePublicKeyDerLength, server.OfferedKeyLength);

        var keys = new SessionKeys();
        Assert.Equal(HandshakeResult.Ok, device.ReadSessionKey(answer, 0, answer.Length, keys));
        Assert.True(keys.IsLoaded);
        Assert.Equal(session[..16], keys.Key);
        Assert.Equal(session[16..32], keys.Iv);
        Assert.Equal(session[32..40], keys.Salt);
        Assert.Equal(serverKeys.Key, keys.Key);
        Assert.Equal(serverKeys.Iv, keys.Iv);
    }

    [Fact]
    public void DeviceReplyIsNonceIdAndKeyUnderTheServerKey()
    {
        // Decode the device's block with .NET directly, not with our code.
        byte[] nonce = Random(40);
        var reply = new byte[256];
        Assert.Equal(HandshakeResult.Ok, NewDevice().BuildDeviceReply(nonce, 0, 40, reply, 0, 256, out _));
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(ProtocolTestKeys.Server.PrivatePkcs1, out _);
        byte[] plain = rsa.Decrypt(reply, RSAEncryptionPadding.Pkcs1);
        Assert.Equal(52 + 162, plain.Length);
        Assert.Equal(nonce, plain[..40]);
        Assert.Equal(DeviceId, plain[40..52]);
        Assert.Equal(ProtocolTestKeys.Device.PublicSpki, plain[52..]);
    }

    [Fact]
    public void CloudAnswerIsSessionUnderDeviceKeyAndRawSignatureOverHmac()
    {
        var (_, _, session, answer, _) = CloudAnswer(NewDevice(), NewServer());
        using var dev = RSA.Create();
        dev.ImportRSAPrivateKey(ProtocolTestKeys.Device.PrivatePkcs1, out _);
        Assert.Equal(session, dev.Decrypt(answer[..128], RSAEncryptionPadding.Pkcs1));

        byte[] hmac = HMACSHA1.HashData(session, answer[..128]);
        using var srv = RSA.Create();
        srv.ImportSubjectPublicKeyInfo(ProtocolTestKeys.Server.PublicSpki, out _);
        RSAParameters p = srv.ExportParameters(false);
        var m = BigInteger.ModPow(new BigInteger(answer[128..], true, true), new BigInteger(p.Exponent, true, true),
            new BigInteger(p.Modulus, true, true));
        byte[] em = new byte[256];
        byte[] mb = m.ToByteArray(true, true);
        mb.CopyTo(em, 256 - mb.Length);
        // 00 01 FF*(256-3-20) 00 || HMAC: no DigestInfo, as ursa's privateEncrypt produces.
        Assert.Equal(0x00, em[0]);
        Assert.Equal(0x01, em[1]);
        Assert.All(em[2..235], b => Assert.Equal(0xFF, b));
        Assert.Equal(0x00, em[235]);
        Assert.Equal(hmac, em[236..]);
    }

    [Fact]
    public void TamperedSignatureIsRejected()
    {
        var device = NewDevice();
        var (_, _, _, answer, _) = CloudAnswer(device, NewServer());
        for (int i = 0; i < 8; i++)
        {
            byte[] bad = (byte[])answer.Clone();
            bad[128 + _rng.Next(256)] ^= (byte)(1 << _rng.Next(8));
            var keys = new SessionKeys();
            Assert.Equal(HandshakeResult.BadSignature, device.ReadSessionKey(bad, 0, bad.Length, keys));
            Assert.False(keys.IsLoaded);
        }
    }

    [Fact]
    public void TamperedCiphertextIsRejected()
    {
        var device = NewDevice();
        var (_, _, _, answer, _) = CloudAnswer(device, NewServer());
        for (int i = 0; i < 8; i++)
        {
            byte[] bad = (byte[])answer.Clone();
            bad[_rng.Next(128)] ^= (byte)(1 << _rng.Next(8));
            var keys = new SessionKeys();
            HandshakeResult r = device.ReadSessionKey(bad, 0, bad.Length, keys);
            // Garbled RSA block: bad padding, or (OpenSSL implicit rejection) a wrong-length or
            // wrong-content plaintext whose HMAC the signature does not cover.
            Assert.Contains(r, new[] { HandshakeResult.DecryptFailed, HandshakeResult.BadPlaintext, HandshakeResult.BadSignature });
            Assert.False(keys.IsLoaded);
        }
    }

    [Fact]
    public void AnswerSignedByAnotherServerIsRejected()
    {
        var device = NewDevice(); // trusts ProtocolTestKeys.Server
        var (_, _, _, answer, _) = CloudAnswer(NewDevice(server: ProtocolTestKeys.OtherServer), NewServer(ProtocolTestKeys.OtherServer));
        var keys = new SessionKeys();
        Assert.Equal(HandshakeResult.BadSignature, device.ReadSessionKey(answer, 0, answer.Length, keys));
        Assert.False(keys.IsLoaded);
    }

    [Fact]
    public void AnswerForAnotherDeviceKeyIsRejected()
    {
        var other = NewDevice(device: ProtocolTestKeys.OtherDevice);
        var (_, _, _, answer, _) = CloudAnswer(other, NewServer());
        var keys = new SessionKeys();
        HandshakeResult r = NewDevice().ReadSessionKey(answer, 0, answer.Length, keys);
        Assert.Contains(r, new[] { HandshakeResult.DecryptFailed, HandshakeResult.BadPlaintext, HandshakeResult.BadSignature });
        Assert.False(keys.IsLoaded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(128)]
    [InlineData(383)]
    [InlineData(385)]
    [InlineData(512)]
    public void WrongLengthAnswerIsRejected(int length)
    {
        var keys = new SessionKeys();
        Assert.Equal(HandshakeResult.WrongLength, NewDevice().ReadSessionKey(new byte[length], 0, length, keys));
        Assert.False(keys.IsLoaded);
    }

    [Fact]
    public void GarbageAnswerIsRejected()
    {
        var device = NewDevice();
        for (int i = 0; i < 4; i++)
        {
            var keys = new SessionKeys();
            HandshakeResult r = device.ReadSessionKey(Random(384), 0, 384, keys);
            Assert.NotEqual(HandshakeResult.Ok, r);
            Assert.False(keys.IsLoaded);
        }
    }

    [Theory]
    [InlineData(39)]
    [InlineData(41)]
    [InlineData(0)]
    public void SessionPlaintextOfWrongLengthIsRejectedEvenWhenSigned(int sessionLength)
    {
        // A correctly signed answer whose ciphertext opens to the wrong number of bytes.
        byte[] session = Random(sessionLength);
        using var dev = RSA.Create();
        dev.ImportSubjectPublicKeyInfo(ProtocolTestKeys.Device.PublicSpki, out _);
        byte[] ct = dev.Encrypt(session, RSAEncryptionPadding.Pkcs1);
        byte[] hmac = HMACSHA1.HashData(session, ct);
        var sig = new byte[256];
        Assert.Equal(256, _crypto.RsaSignRaw(ProtocolTestKeys.Server.PrivatePkcs1, hmac, 0, 20, sig, 0, 256));
        byte[] answer = [.. ct, .. sig];
        var keys = new SessionKeys();
        Assert.Equal(HandshakeResult.BadPlaintext, NewDevice().ReadSessionKey(answer, 0, 384, keys));
        Assert.False(keys.IsLoaded);
    }

    [Fact]
    public void CloudRejectsBadDeviceReplies()
    {
        var server = NewServer();
        Assert.Equal(HandshakeResult.InvalidState, server.ReadDeviceReply(new byte[256], 0, 256));
        byte[] nonce = Random(40);
        Assert.Equal(HandshakeResult.WrongLength, server.SetNonce(nonce, 0, 39));
        Assert.Equal(HandshakeResult.Ok, server.SetNonce(nonce, 0, 40));

        Assert.Equal(HandshakeResult.WrongLength, server.ReadDeviceReply(new byte[255], 0, 255));
        Assert.Equal(HandshakeResult.WrongLength, server.ReadDeviceReply(new byte[257], 0, 257));
        Assert.NotEqual(HandshakeResult.Ok, server.ReadDeviceReply(Random(256), 0, 256));

        // Echoing a different nonce.
        var reply = new byte[256];
        byte[] otherNonce = (byte[])nonce.Clone();
        otherNonce[39] ^= 1;
        NewDevice().BuildDeviceReply(otherNonce, 0, 40, reply, 0, 256, out _);
        Assert.Equal(HandshakeResult.NonceMismatch, server.ReadDeviceReply(reply, 0, 256));

        // Encrypted to another server's key.
        NewDevice(server: ProtocolTestKeys.OtherServer).BuildDeviceReply(nonce, 0, 40, reply, 0, 256, out _);
        Assert.NotEqual(HandshakeResult.Ok, server.ReadDeviceReply(reply, 0, 256));

        // Too short a plaintext (51 bytes).
        using var srv = RSA.Create();
        srv.ImportSubjectPublicKeyInfo(ProtocolTestKeys.Server.PublicSpki, out _);
        byte[] shortReply = srv.Encrypt([.. nonce, .. DeviceId[..11]], RSAEncryptionPadding.Pkcs1);
        Assert.Equal(HandshakeResult.BadPlaintext, server.ReadDeviceReply(shortReply, 0, 256));

        // Exactly 52 bytes (no key offered) is accepted, as spark-protocol does.
        byte[] bare = srv.Encrypt([.. nonce, .. DeviceId], RSAEncryptionPadding.Pkcs1);
        Assert.Equal(HandshakeResult.Ok, server.ReadDeviceReply(bare, 0, 256));
        Assert.Equal(0, server.OfferedKeyLength);
        Assert.Null(server.CopyOfferedKey());
    }

    [Fact]
    public void KeySizesTheProtocolFixesAreEnforced()
    {
        // A 2048-bit device key: its DER (294 bytes) no longer fits the 245-byte reply plaintext ...
        var big = NewDevice(device: ProtocolTestKeys.Server);
        Assert.Equal(HandshakeResult.PlaintextTooLong, big.BuildDeviceReply(Random(40), 0, 40, new byte[256], 0, 256, out _));

        // ... and the cloud refuses to encrypt a session for it (it would not be 128 bytes).
        var server = NewServer();
        byte[] nonce = Random(40);
        server.SetNonce(nonce, 0, 40);
        var reply = new byte[256];
        NewDevice().BuildDeviceReply(nonce, 0, 40, reply, 0, 256, out _);
        Assert.Equal(HandshakeResult.Ok, server.ReadDeviceReply(reply, 0, 256));
        Assert.Equal(HandshakeResult.WrongKeySize, server.BuildSessionKey(ProtocolTestKeys.Server.PublicSpki, Random(40), 0, 40,
            new byte[384], 0, 384, new SessionKeys(), out _));

        // A device that was given a 1024-bit "server" key cannot build a 256-byte reply.
        var wrongServerKey = NewDevice(server: ProtocolTestKeys.OtherDevice);
        Assert.Equal(HandshakeResult.WrongKeySize, wrongServerKey.BuildDeviceReply(nonce, 0, 40, new byte[256], 0, 256, out _));

        // Garbage key material.
        var garbage = new DeviceHandshake(_crypto, DeviceId, ProtocolTestKeys.Device.PublicSpki, ProtocolTestKeys.Device.PrivatePkcs1,
            Random(270));
        Assert.Equal(HandshakeResult.WrongKeySize, garbage.BuildDeviceReply(nonce, 0, 40, new byte[256], 0, 256, out _));
    }

    [Fact]
    public void ABoardWithoutRsaSaysSoInsteadOfBlamingTheKey()
    {
        // The firmware's managed crypto has no RSA (a board supplies it natively); a board wired without
        // it used to report WrongKeySize, sending whoever reads the drop reason after the keys.
        var device = new DeviceHandshake(new CoreFirmware.Ota.Crypto.ManagedImageCrypto(), DeviceId, ProtocolTestKeys.Device.PublicSpki,
            ProtocolTestKeys.Device.PrivatePkcs1, ProtocolTestKeys.Server.PublicSpki);
        Assert.Equal(HandshakeResult.CryptoNotSupported, device.BuildDeviceReply(Random(40), 0, 40, new byte[256], 0, 256, out _));
    }

    [Fact]
    public void DeviceRejectsBadNonceLengthAndSmallBuffers()
    {
        var device = NewDevice();
        Assert.Equal(HandshakeResult.WrongLength, device.BuildDeviceReply(new byte[41], 0, 41, new byte[256], 0, 256, out _));
        Assert.Equal(HandshakeResult.WrongLength, device.BuildDeviceReply(new byte[39], 0, 39, new byte[256], 0, 256, out _));
        Assert.Equal(HandshakeResult.BufferTooSmall, device.BuildDeviceReply(new byte[40], 0, 40, new byte[256], 0, 255, out _));
        Assert.Equal(HandshakeResult.InvalidArgument, device.BuildDeviceReply(null!, 0, 40, new byte[256], 0, 256, out _));
        Assert.Equal(HandshakeResult.InvalidArgument, device.ReadSessionKey(new byte[384], 1, 384, new SessionKeys()));
    }
}
