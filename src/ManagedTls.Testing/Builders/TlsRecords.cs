using ManagedTls.Wire;

namespace ManagedTls.Testing;

/// <summary>
/// Factories for records (<see cref="RecordBuilder"/>): any content, handshake messages, alerts, change_cipher_spec
/// and application data. Type, legacy_record_version, length (<c>SetLength("fragment", n)</c>) and content are all
/// overridable.
/// </summary>
public static class TlsRecords
{
    /// <summary>A record of any type holding raw bytes.</summary>
    /// <param name="type">The content type (any value).</param>
    /// <param name="fragment">The content.</param>
    /// <param name="legacyVersion">legacy_record_version.</param>
    /// <returns><c>record { type, legacy_record_version, fragment { data } }</c>.</returns>
    public static RecordBuilder Record(ContentType type, byte[] fragment, ushort legacyVersion = 0x0303) =>
        new(type, legacyVersion, new BytesNode("data", fragment));

    /// <summary>A handshake record carrying <paramref name="messages"/> back to back.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns><c>record { type = handshake, legacy_record_version, fragment { messages... } }</c>.</returns>
    public static RecordBuilder Handshake(params HandshakeBuilder[] messages) =>
        new(ContentType.Handshake, 0x0303, messages);

    /// <summary>An alert record.</summary>
    /// <param name="description">The alert.</param>
    /// <param name="level">Its level; null for warning on close_notify and user_canceled, fatal otherwise.</param>
    /// <returns><c>record { type = alert, legacy_record_version, fragment { level, description } }</c>.</returns>
    public static RecordBuilder Alert(AlertDescription description, AlertLevel? level = null) =>
        new(ContentType.Alert, 0x0303, AlertBody(description, level));

    /// <summary>The change_cipher_spec record, one byte 0x01 (sent unprotected in TLS 1.3 compatibility mode).</summary>
    /// <returns><c>record { type = change_cipher_spec, legacy_record_version, fragment { type = 1 } }</c>.</returns>
    public static RecordBuilder ChangeCipherSpec() =>
        new(ContentType.ChangeCipherSpec, 0x0303, new UIntNode("change_cipher_spec", 1, 1));

    /// <summary>An application_data record.</summary>
    /// <param name="data">The content.</param>
    /// <returns><c>record { type = application_data, legacy_record_version, fragment { data } }</c>.</returns>
    public static RecordBuilder ApplicationData(byte[] data) => Record(ContentType.ApplicationData, data);

    /// <summary>An alert's two fields, level and description.</summary>
    internal static TlsNode[] AlertBody(AlertDescription description, AlertLevel? level) =>
    [
        new UIntNode("level", 1, (byte)(level ?? (description is AlertDescription.CloseNotify or AlertDescription.UserCanceled ? AlertLevel.Warning : AlertLevel.Fatal))),
        new UIntNode("description", 1, (byte)description),
    ];
}
