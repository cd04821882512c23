namespace ManagedTls.Tests.Handshake;

/// <summary>
/// Two handshakes between OpenSSL 3.0's <c>s_client</c> and <c>s_server</c> on loopback, recorded with <c>-msg</c>
/// (every handshake message, decrypted), <c>-keylogfile</c> (NSS key log) and <c>-keymatexport "EXPERIMENTAL test"</c>.
/// They give independent answers for what RFC 8448 does not cover: a SHA-384 suite, the TLS 1.3 exporter, and
/// the TLS 1.2 Finished and RFC 5705 exporter over a real transcript with an extended master secret.
/// </summary>
internal static class OpenSslHandshakeVectors
{
    /// <summary>TLS 1.3, TLS_AES_256_GCM_SHA384, X25519: ClientRandom from the key log.</summary>
    public const string Tls13ClientRandom = "06c1c6ccf5345f60b5bfd3dd342d47927304be2ef2a4596aa5adbc32d694cc81";
    /// <summary>SERVER_HANDSHAKE_TRAFFIC_SECRET.</summary>
    public const string Tls13ServerHandshakeTrafficSecret = "bea958e3c788e43c6d8e7be16bc6b6d87f6a0e2001fbea6ab439897e016ae4792861de2e0cfe97908083f04f1b073888";
    /// <summary>CLIENT_HANDSHAKE_TRAFFIC_SECRET.</summary>
    public const string Tls13ClientHandshakeTrafficSecret = "3a829c7897c0a155944fcea235d20f297fc2235f106df12d7d89e5d2310fedd677116aa8cb42b71c86a5c77d31a59247";
    /// <summary>EXPORTER_SECRET.</summary>
    public const string Tls13ExporterSecret = "a32632de464f928638cb63491d6e8e549175990ef02b60ec191039e594f46704b0777900528935714bdaf67904d5744f";
    /// <summary>Keying material exporter output, label "EXPERIMENTAL test", no context, 40 bytes.</summary>
    public const string Tls13Exported = "2a2781d4fb6eff791455c2af9e0caa522887a7425c66389cec2451aa876a13f10a9cfe97b36e124f";

    /// <summary>TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256 with extended master secret: CLIENT_RANDOM line of the key log.</summary>
    public const string Tls12ClientRandom = "5d5ece9f658290bcaf5e2d1af842653f9d9d7d28b6d4e6d9b2b53db100acd2c8";
    /// <summary>The master secret from the key log.</summary>
    public const string Tls12MasterSecret = "13c4be8cd7df64f1a2cfbbd1ab7e08419537ab7d7f51e54be2278e2452fdcb857fbcc67f8cd13b2af3ebee0f09a4b32e";
    /// <summary>Keying material exporter output, label "EXPERIMENTAL test", no context, 20 bytes.</summary>
    public const string Tls12Exported = "1500248d3ae2ab34edd5c8abf3ccc3fd2d812a27";

    /// <summary>The TLS 1.3 handshake messages in order: ClientHello, ServerHello, EncryptedExtensions, Certificate, CertificateVerify, server Finished, client Finished.</summary>
    public static readonly string[] Tls13Messages =
    [
        // ClientHello
        "010000c2030306c1c6ccf5345f60b5bfd3dd342d47927304be2ef2a4596aa5adbc32d694cc81207260ed6d7949ba421e" +
            "31870ec25f0a7f6a502193fbacdc2e629ea1a3763478990004130200ff01000075000b000403000102000a0004000200" +
            "1d002300000016000000170000000d001e001c040305030603080708080809080a080b08040805080604010501060100" +
            "2b0003020304002d00020101003300260024001d0020b86c5a3310730f53b66b2e9305607b6b3dd025766892201c7e5f" +
            "bea69b0a404a",
        // ServerHello
        "020000760303a76048a3097253e055bb2715470b8825b156ed873f3072f5cdb4b9f367dc9443207260ed6d7949ba421e" +
            "31870ec25f0a7f6a502193fbacdc2e629ea1a376347899130200002e002b0002030400330024001d0020341ef7ff161c" +
            "946a5f1ed4c14ba867dd85cb8e2c58763ff1c61462576923c131",
        // EncryptedExtensions
        "080000020000",
        // Certificate
        "0b000179000001750001703082016c30820113a003020102021479bd446463cacabc3d3e54bb2623cbcc4bcc4523300a" +
            "06082a8648ce3d040302300c310a300806035504030c0178301e170d3236313132333134333733365a170d3236313132" +
            "353134333733365a300c310a300806035504030c01783059301306072a8648ce3d020106082a8648ce3d030107034200" +
            "0497be7923d09879309a19143ff684d31e1ee74df459158f1ccba8494c51615a8e45201d573939db47b5914f83b2159d" +
            "33c33a5c352c2aed3e402c5e9e31a93e70a3533051301d0603551d0e041604142142a7e0cc4bbe3d8ce83215d3326c4f" +
            "f4f8aad8301f0603551d230418301680142142a7e0cc4bbe3d8ce83215d3326c4ff4f8aad8300f0603551d130101ff04" +
            "0530030101ff300a06082a8648ce3d04030203470030440220241b7f42f75071246e5983c00683885c12376906365f9e" +
            "1feabcebaeabaa0aeb02206263dccd4ff75725776cb19d17e9fa3869be0a8be73d05b365699dbe5239933a0000",
        // CertificateVerify
        "0f00004c040300483046022100b916233b12160bd25a00b1f8248bd58945a7ca89b18d2b6a508a61982d0ab288022100" +
            "8b8fecbfcaacc47fabff788e2832df32760545170453c8ffe315aea928d0e548",
        // Finished
        "1400003036443b007fd5c19d9ec736b7d1e0994ada32a85ded89213599ead28e8b5acc7898f92ceb6832a9eac167acdd" +
            "d753596e",
        // Finished
        "1400003004658656fd3cec2a2c909f9e792b358854e686550660f400a28ae27e330eac09d96b3d1f745e986fe96b1338" +
            "6e1d3ecc",
    ];

    /// <summary>The TLS 1.2 handshake messages in order, from ClientHello to the server Finished (client Finished, then NewSessionTicket, then server Finished).</summary>
    public static readonly string[] Tls12Messages =
    [
        // ClientHello
        "0100007f03035d5ece9f658290bcaf5e2d1af842653f9d9d7d28b6d4e6d9b2b53db100acd2c8000004c02b00ff010000" +
            "52000b000403000102000a000c000a001d0017001e00190018002300000016000000170000000d002a00280403050306" +
            "03080708080809080a080b080408050806040105010601030303010302040205020602",
        // ServerHello
        "0200003d03037d9404a996b23b0810abfe9018412fbc3033e2480521f7ed93690d294a540c9400c02b000015ff010001" +
            "00000b0004030001020023000000170000",
        // Certificate
        "0b0001760001730001703082016c30820113a003020102021479bd446463cacabc3d3e54bb2623cbcc4bcc4523300a06" +
            "082a8648ce3d040302300c310a300806035504030c0178301e170d3236313132333134333733365a170d323631313235" +
            "3134333733365a300c310a300806035504030c01783059301306072a8648ce3d020106082a8648ce3d03010703420004" +
            "97be7923d09879309a19143ff684d31e1ee74df459158f1ccba8494c51615a8e45201d573939db47b5914f83b2159d33" +
            "c33a5c352c2aed3e402c5e9e31a93e70a3533051301d0603551d0e041604142142a7e0cc4bbe3d8ce83215d3326c4ff4" +
            "f8aad8301f0603551d230418301680142142a7e0cc4bbe3d8ce83215d3326c4ff4f8aad8300f0603551d130101ff0405" +
            "30030101ff300a06082a8648ce3d04030203470030440220241b7f42f75071246e5983c00683885c12376906365f9e1f" +
            "eabcebaeabaa0aeb02206263dccd4ff75725776cb19d17e9fa3869be0a8be73d05b365699dbe5239933a",
        // ServerKeyExchange
        "0c00006f03001d20e7f9f3646e2de4f3e79c2421d521cb74a1c92a9126beb69046325f621fab00650403004730450221" +
            "00a4ebeefa95163b7f1182a9e2da4987d823df303094e8f11dd9c233f542abb0ac02203c77aa40e742bc570373f2cf44" +
            "941039441c3b08770173f6dc0d8bf2d595cb5d",
        // ServerHelloDone
        "0e000000",
        // ClientKeyExchange
        "1000002120a5bcef6d8522082142cccf97017536b2131c3b8c7dd09fcc50ab7311eca7630b",
        // Finished
        "1400000cda2cfa98e93a3514636f9fb8",
        // NewSessionTicket
        "040000b600001c2000b0e29d6af7b9b3206fbd70e49ff8d685b8238b293e257877f26f343c959200036057de035b20b1" +
            "7d86b847bbeb6b21b6dd46b5b8bf8d00bee95f0aae784da39259995657eba2f53805a43035eee2bb4857615e268760d0" +
            "07a102d1b558bb90459965b4588f61ede51de0b8c2dd7dc63dfc8c027bcc9689a3f27d8bfa873d7545c0bd489f6ad777" +
            "4190f7162dd09a13920184529ea98ca96e8a8608c95b82e7f157b108a591aaea2b0a3fc7d348872c9513",
        // Finished
        "1400000c6afc46b330f1bde3533a0773",
    ];
}
