using System.Security.Cryptography;
using System.Text.Json;

namespace CoreFirmware.Cloud;

/// <summary>
/// The local cloud's users (<c>users.json</c> in the registry folder, 0600): an e-mail and a salted
/// PBKDF2-SHA256 hash of the password each, and the access tokens issued to them by
/// <c>POST /oauth/token</c> (spark-cli's <c>cloud login</c>). <c>corefw user add</c> creates one.
/// </summary>
public sealed class CloudUsers
{
    /// <summary>The file's name in the registry folder.</summary>
    public const string FileName = "users.json";

    private const int Iterations = 100_000;
    private const int HashBytes = 32;
    private readonly object _lock = new();
    private readonly string _path;
    private UsersFile _file;

    private CloudUsers(string path, UsersFile file)
    {
        _path = path;
        _file = file;
    }

    /// <summary>Opens (or starts empty) the users file of <paramref name="registryFolder"/>.</summary>
    public static CloudUsers Open(string registryFolder)
    {
        string path = Path.Combine(registryFolder, FileName);
        UsersFile file = File.Exists(path)
            ? JsonSerializer.Deserialize<UsersFile>(File.ReadAllText(path)) ?? new UsersFile()
            : new UsersFile();
        return new CloudUsers(path, file);
    }

    /// <summary>Adds (or replaces the password of) a user.</summary>
    public void Add(string username, string password)
    {
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password))
        {
            throw new ArgumentException("a user needs a name and a password");
        }

        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        lock (_lock)
        {
            _file.Users.RemoveAll(u => u.Username == username);
            _file.Users.Add(new UserEntry { Username = username, Salt = Convert.ToBase64String(salt), Hash = Convert.ToBase64String(hash) });
            Save();
        }
    }

    /// <summary>Names of the users.</summary>
    public IReadOnlyList<string> Usernames
    {
        get { lock (_lock) return _file.Users.Select(u => u.Username).ToArray(); }
    }

    /// <summary>Checks the password and issues a new access token (40 hex, as spark-server's); null when the credentials are wrong.</summary>
    public string? Login(string? username, string? password)
    {
        if (username == null || password == null)
        {
            return null;
        }

        lock (_lock)
        {
            UserEntry? user = _file.Users.FirstOrDefault(u => u.Username == username);
            if (user == null)
            {
                return null;
            }

            byte[] hash = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(user.Salt), Iterations, HashAlgorithmName.SHA256, HashBytes);
            if (!CryptographicOperations.FixedTimeEquals(hash, Convert.FromBase64String(user.Hash)))
            {
                return null;
            }

            string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
            user.Tokens.Add(token);
            Save();
            return token;
        }
    }

    /// <summary>Every token issued to a user.</summary>
    public IReadOnlyList<string> Tokens
    {
        get { lock (_lock) return _file.Users.SelectMany(u => u.Tokens).ToArray(); }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        OwnerOnlyFile.WriteAllText(_path, JsonSerializer.Serialize(_file, new JsonSerializerOptions { WriteIndented = true }));
    }

    private sealed class UsersFile
    {
        public List<UserEntry> Users { get; set; } = new();
    }

    private sealed class UserEntry
    {
        public string Username { get; set; } = "";

        public string Salt { get; set; } = "";

        public string Hash { get; set; } = "";

        public List<string> Tokens { get; set; } = new();
    }
}
