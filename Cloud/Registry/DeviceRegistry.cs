using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.SparkCore;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoreFirmware.Cloud;

/// <summary>
/// The cloud's registry: a folder on disk holding the server key pair and, per device, its public
/// key (what spark-server keeps in <c>core_keys/</c>). Layout:
/// <code>
///   server_key.der         RSA-2048 private key, DER PKCS#1 RSAPrivateKey
///   server_key.pub.der     its public key, DER SubjectPublicKeyInfo
///   image_key.pem          the image signing key: ECDSA P-256, PKCS#8 PEM (`corefw image sign`
///                          uses it when no --key is given)
///   image_key.pub.pem      its public key, SubjectPublicKeyInfo PEM
///   image_key.pub.bin      its public point, 65 bytes: what a device is provisioned with
///   cloud.json             access tokens (CloudSettings)
///   devices/&lt;id&gt;.pub.der   device RSA-1024 public key, DER (as the device sends it)
///   devices/&lt;id&gt;.json      {"id": ..., "name": ...}
///   devices/&lt;id&gt;.key.der   device private key, only when the registry created the pair
///                          (CreateDevice / `corefw keys device`), for virtual boards
/// </code>
/// Lookups read the folder, so a device registered by another process (`corefw keys device`
/// while `corefw serve` runs) is seen at its next connection. Thread-safe.
/// </summary>
public sealed class DeviceRegistry
{
    /// <summary>Server key size (the protocol fixes RSA-2048: 256-byte handshake blocks).</summary>
    public const int ServerKeyBits = 2048;

    /// <summary>Device key size (the protocol fixes RSA-1024: 128-byte session block).</summary>
    public const int DeviceKeyBits = 1024;

    private const string ServerPrivateFile = "server_key.der";
    private const string ServerPublicFile = "server_key.pub.der";
    private const string DevicesFolder = "devices";

    /// <summary>Base name of the image key files (image_key.pem, .pub.pem, .pub.bin).</summary>
    public const string ImageKeyBaseName = "image_key";
    private byte[]? _imagePoint;
    private readonly object _lock = new();
    private byte[]? _serverPrivate;
    private byte[]? _serverPublic;

    private DeviceRegistry(string folder)
    {
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>The registry folder (absolute).</summary>
    public string Folder { get; }

    /// <summary>Path of the cloud settings file.</summary>
    public string SettingsPath => Path.Combine(Folder, CloudSettings.FileName);

    /// <summary>Folder of the per-device files.</summary>
    public string DevicesPath => Path.Combine(Folder, DevicesFolder);

    /// <summary>Opens (creating the folders if needed) the registry at <paramref name="folder"/>.</summary>
    public static DeviceRegistry Open(string folder)
    {
        var registry = new DeviceRegistry(folder);
        Directory.CreateDirectory(registry.DevicesPath);
        return registry;
    }

    /// <summary>True when the server key pair exists.</summary>
    public bool HasServerKeys => File.Exists(Path.Combine(Folder, ServerPrivateFile));

    /// <summary>The server's private key (DER PKCS#1). Throws when there is none (see <see cref="EnsureServerKeys"/>).</summary>
    public byte[] ServerPrivateKeyDer
    {
        get
        {
            LoadServerKeys();
            return _serverPrivate!;
        }
    }

    /// <summary>The server's public key (DER SubjectPublicKeyInfo): what a device needs.</summary>
    public byte[] ServerPublicKeyDer
    {
        get
        {
            LoadServerKeys();
            return _serverPublic!;
        }
    }

    /// <summary>Path of the image signing key (PKCS#8 PEM).</summary>
    public string ImageKeyPath => Path.Combine(Folder, ImageKeyBaseName + ".pem");

    /// <summary>True when the image signing key exists.</summary>
    public bool HasImageKey => File.Exists(ImageKeyPath);

    /// <summary>Creates the image signing key pair (P-256) if there is none. Returns true when it created one.</summary>
    public bool EnsureImageKey()
    {
        lock (_lock)
        {
            if (HasImageKey)
            {
                return false;
            }

            Directory.CreateDirectory(Folder);
            using ECDsa key = ImageSigner.GenerateKey();
            ImageSigner.WriteKeyPair(key, Path.Combine(Folder, ImageKeyBaseName));
            _imagePoint = ImageSigner.PublicKeyPoint(key);
            return true;
        }
    }

    /// <summary>
    /// The image public key as a device takes it (65-byte uncompressed P-256 point), creating the key
    /// pair if there is none.
    /// </summary>
    public byte[] ImagePublicKeyPoint
    {
        get
        {
            EnsureImageKey();
            lock (_lock)
            {
                if (_imagePoint == null)
                {
                    using ECDsa key = ImageSigner.LoadKey(ImageKeyPath);
                    _imagePoint = ImageSigner.PublicKeyPoint(key);
                }

                return (byte[])_imagePoint.Clone();
            }
        }
    }

    /// <summary>The image signing key (a new ECDsa each call: the caller disposes it), creating it if there is none.</summary>
    public ECDsa LoadImageSigningKey()
    {
        EnsureImageKey();
        return ImageSigner.LoadKey(ImageKeyPath);
    }

    /// <summary>Signs <paramref name="payload"/> into a whole image with this cloud's image key (board default: the Spark Core).</summary>
    public byte[] SignImage(byte[] payload, ImageVersion version, uint boardId = SparkCoreBoard.ImageBoardId, uint flags = 0)
    {
        using ECDsa key = LoadImageSigningKey();
        return ImageSigner.Sign(payload, version, boardId, key, flags);
    }

    /// <summary>Creates the server key pair if there is none. Returns true when it created one.</summary>
    public bool EnsureServerKeys()
    {
        lock (_lock)
        {
            if (HasServerKeys)
            {
                return false;
            }

            using RSA rsa = RSA.Create(ServerKeyBits);
            WriteServerKeys(rsa.ExportRSAPrivateKey(), rsa.ExportSubjectPublicKeyInfo());
            return true;
        }
    }

    /// <summary>
    /// Creates a new server key pair, replacing any (devices then need the new public key).
    /// </summary>
    public void CreateServerKeys()
    {
        using RSA rsa = RSA.Create(ServerKeyBits);
        SetServerKeys(rsa.ExportRSAPrivateKey());
    }

    /// <summary>Installs a given RSA-2048 private key (DER PKCS#1 or PKCS#8) as the server key.</summary>
    public void SetServerKeys(byte[] privateKeyDer)
    {
        using RSA rsa = RSA.Create();
        ImportPrivate(rsa, privateKeyDer);
        if (rsa.KeySize != ServerKeyBits)
        {
            throw new ArgumentException($"the server key must be RSA-{ServerKeyBits}, not RSA-{rsa.KeySize}", nameof(privateKeyDer));
        }

        lock (_lock)
        {
            WriteServerKeys(rsa.ExportRSAPrivateKey(), rsa.ExportSubjectPublicKeyInfo());
        }
    }

    private void WriteServerKeys(byte[] privateDer, byte[] publicDer)
    {
        Directory.CreateDirectory(Folder);
        OwnerOnlyFile.WriteAllBytes(Path.Combine(Folder, ServerPrivateFile), privateDer);
        File.WriteAllBytes(Path.Combine(Folder, ServerPublicFile), publicDer);
        _serverPrivate = privateDer;
        _serverPublic = publicDer;
    }

    private void LoadServerKeys()
    {
        lock (_lock)
        {
            if (_serverPrivate != null)
            {
                return;
            }

            string path = Path.Combine(Folder, ServerPrivateFile);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"no server key in {Folder}: run `corefw keys server`");
            }

            byte[] privateDer = File.ReadAllBytes(path);
            using RSA rsa = RSA.Create();
            ImportPrivate(rsa, privateDer);
            _serverPrivate = privateDer;
            _serverPublic = rsa.ExportSubjectPublicKeyInfo();
        }
    }

    private static void ImportPrivate(RSA rsa, byte[] der)
    {
        try
        {
            rsa.ImportRSAPrivateKey(der, out _);
        }
        catch (CryptographicException)
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
        }
    }

    /// <summary>
    /// Creates an RSA-1024 key pair for device <paramref name="id"/> (12 bytes; null = random),
    /// registers the public key, keeps the private key in <c>devices/&lt;id&gt;.key.der</c> and
    /// returns the pair.
    /// </summary>
    public DeviceKeyPair CreateDevice(byte[]? id = null, string? name = null)
    {
        id ??= DeviceIds.NewRandom();
        if (id.Length != Ota.Protocol.Handshake.DeviceIdLength)
        {
            throw new ArgumentException("a device id is 12 bytes", nameof(id));
        }

        using RSA rsa = RSA.Create(DeviceKeyBits);
        var pair = new DeviceKeyPair(id, rsa.ExportSubjectPublicKeyInfo(), rsa.ExportRSAPrivateKey()) { ImagePublicKey = ImagePublicKeyPoint };
        Register(pair.IdHex, pair.PublicKeyDer, name);
        OwnerOnlyFile.WriteAllBytes(Path.Combine(DevicesPath, pair.IdHex + ".key.der"), pair.PrivateKeyDer);
        return pair;
    }

    /// <summary>
    /// Registers (or re-keys) device <paramref name="id"/> (24 hex) with its RSA-1024 public key
    /// (DER SubjectPublicKeyInfo or PKCS#1). A null <paramref name="name"/> keeps an existing name.
    /// </summary>
    public DeviceRecord Register(string id, byte[] publicKeyDer, string? name = null)
    {
        string hex = DeviceIds.Normalize(id) ?? throw new ArgumentException($"'{id}' is not a device id (24 hex digits)", nameof(id));
        using (RSA rsa = RSA.Create())
        {
            try
            {
                rsa.ImportSubjectPublicKeyInfo(publicKeyDer, out _);
            }
            catch (CryptographicException)
            {
                rsa.ImportRSAPublicKey(publicKeyDer, out _);
            }

            if (rsa.KeySize != DeviceKeyBits)
            {
                throw new ArgumentException($"a device key must be RSA-{DeviceKeyBits}, not RSA-{rsa.KeySize}", nameof(publicKeyDer));
            }
        }

        lock (_lock)
        {
            DeviceRecord? old = Find(hex);
            var record = new DeviceRecord(hex, name ?? old?.Name, publicKeyDer);
            File.WriteAllBytes(Path.Combine(DevicesPath, hex + ".pub.der"), publicKeyDer);
            WriteInfo(record);
            return record;
        }
    }

    /// <summary>Sets a device's name (spark-server lets a name stand in for the id).</summary>
    public DeviceRecord? SetName(string id, string? name)
    {
        lock (_lock)
        {
            DeviceRecord? old = Find(id);
            if (old == null)
            {
                return null;
            }

            var record = old with { Name = name };
            WriteInfo(record);
            return record;
        }
    }

    private void WriteInfo(DeviceRecord record)
    {
        var info = new DeviceInfoFile { Id = record.Id, Name = record.Name };
        File.WriteAllText(Path.Combine(DevicesPath, record.Id + ".json"), JsonSerializer.Serialize(info));
    }

    /// <summary>The device with this id (24 hex, any case) or, failing that, this name; null if none.</summary>
    public DeviceRecord? Find(string idOrName)
    {
        string? hex = DeviceIds.Normalize(idOrName);
        if (hex != null)
        {
            DeviceRecord? byId = Load(hex);
            if (byId != null)
            {
                return byId;
            }
        }

        foreach (DeviceRecord d in List())
        {
            if (d.Name != null && string.Equals(d.Name, idOrName, StringComparison.Ordinal))
            {
                return d;
            }
        }

        return null;
    }

    /// <summary>The private key kept for a device the registry created (null otherwise).</summary>
    public byte[]? FindDevicePrivateKey(string id)
    {
        string? hex = DeviceIds.Normalize(id);
        string path = Path.Combine(DevicesPath, (hex ?? "-") + ".key.der");
        return hex != null && File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <summary>Every registered device, ordered by id.</summary>
    public IReadOnlyList<DeviceRecord> List()
    {
        var result = new List<DeviceRecord>();
        if (!Directory.Exists(DevicesPath))
        {
            return result;
        }

        foreach (string file in Directory.GetFiles(DevicesPath, "*.pub.der"))
        {
            string name = Path.GetFileName(file);
            string hex = name.Substring(0, name.Length - ".pub.der".Length);
            if (DeviceIds.Normalize(hex) == hex)
            {
                DeviceRecord? d = Load(hex);
                if (d != null)
                {
                    result.Add(d);
                }
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    private DeviceRecord? Load(string hex)
    {
        string keyPath = Path.Combine(DevicesPath, hex + ".pub.der");
        if (!File.Exists(keyPath))
        {
            return null;
        }

        string? name = null;
        string infoPath = Path.Combine(DevicesPath, hex + ".json");
        try
        {
            if (File.Exists(infoPath))
            {
                name = JsonSerializer.Deserialize<DeviceInfoFile>(File.ReadAllText(infoPath))?.Name;
            }

            return new DeviceRecord(hex, name, File.ReadAllBytes(keyPath));
        }
        catch (IOException)
        {
            return null;
        }
        catch (JsonException)
        {
            return new DeviceRecord(hex, null, File.ReadAllBytes(keyPath));
        }
    }

    private sealed class DeviceInfoFile
    {
        [JsonPropertyName("id")]
        public string Id { get; set; } = "";

        [JsonPropertyName("name")]
        public string? Name { get; set; }
    }
}
