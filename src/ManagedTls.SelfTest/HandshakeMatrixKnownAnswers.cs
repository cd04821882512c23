using ManagedTls.CipherSuites;
using ManagedTls.Connection;
using ManagedTls.Crypto;
using ManagedTls.Handshake;
using ManagedTls.Handshake.Tls13;
using ManagedTls.Wire;
using ManagedTls.X509;

namespace ManagedTls.SelfTest;

/// <summary>
/// An in-memory TLS 1.3 handshake for every cipher suite, every key-exchange group and every signature
/// scheme TLS 1.3 allows, each followed by application data both ways. The certificates are self-signed,
/// one per key type, made with <c>openssl req -x509 -newkey ...</c> for the name selftest.managedtls and
/// valid from 2026-11-23 to 2036-11-20; the clock is fixed inside that window. Randomness is the OS
/// entropy source, so these also prove that a real handshake needs nothing from OpenSSL.
/// </summary>
internal static class HandshakeMatrixKnownAnswers
{
    internal const string ServerName = "selftest.managedtls";

    /// <summary>RSA-2048 (rsaEncryption): self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    private static readonly Credential Rsa = new("RSA-2048 (rsaEncryption)", "3082033d30820225a003020102021417d744882db76db958de2d46e71407c4fd9adebf300d06092a864886f70d01010b0500301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c7330820122300d06092a864886f70d01010105000382010f003082010a0282010100a822c1f97424f04429527e016a23e3dbc885b7c166153f068c9373ece16f634e0c88a885263a7e03bffe3d0d1cd42674e935c3ab098a43f8abed1741c1f651edbe9b13d16f5d311b47b5758502c13c5b4fba327df8a9994a520ed9915d4b89f3cb3c87f162a9dee3e0acd47368e001d8d465f107c7a66e7c0c26775a65167c1768ce694f5a91ca56ee1ecc34e58b9d433a617d824739c2d615f356f5df9610fe5ed87fbb66aaf9ff80fe612fcbd7c9e55d5ae9ee911e1fd5bd390313c5a020e5be9a524b39f171a84b26f2faf4c6af0b2981fc420cdfec2dc1a9ad666218107977c8fa860292dd1937f61475949c0b50200714d8a94bf4d888dfe28a4987ee8d0203010001a3733071301d0603551d0e041604141dea4837c8731a46f5a2461ee6a7b348f965e5d1301f0603551d230418301680141dea4837c8731a46f5a2461ee6a7b348f965e5d1300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300d06092a864886f70d01010b050003820101001c9590017e886d95a635a2babc3ec176539d3b6693addff445a7f3f10fdb02d3e4e0297033e135692929229af6bbc16fc501fc4692161cc48cbab5522718f32abd8c1f73e8e5316f757c9539dfac9c82901ab674f916dd30e73f815ad0f21257ba86e54d1ab14691a8981f208f7028a013008b4285a8cef1dfebef81326dc4642c45013d6aff8139159678dcdcc09bd8b377d1e2709887ade40507c336ad3a9b690b27ae46ae3f962b2c12f5fefafa0aed9289ad5b9548270cc3c470cc0c5a5a6eef8ee9dbc40dd69a48b1c7f8182c3dee28027ebe74bcee0619fa7ce4c4336b74b1a35f3307f09edabe1b20501383c175ac4284754ea2afd9522e2395be438e", "308204a30201000282010100a822c1f97424f04429527e016a23e3dbc885b7c166153f068c9373ece16f634e0c88a885263a7e03bffe3d0d1cd42674e935c3ab098a43f8abed1741c1f651edbe9b13d16f5d311b47b5758502c13c5b4fba327df8a9994a520ed9915d4b89f3cb3c87f162a9dee3e0acd47368e001d8d465f107c7a66e7c0c26775a65167c1768ce694f5a91ca56ee1ecc34e58b9d433a617d824739c2d615f356f5df9610fe5ed87fbb66aaf9ff80fe612fcbd7c9e55d5ae9ee911e1fd5bd390313c5a020e5be9a524b39f171a84b26f2faf4c6af0b2981fc420cdfec2dc1a9ad666218107977c8fa860292dd1937f61475949c0b50200714d8a94bf4d888dfe28a4987ee8d02030100010282010051e7b8b1a1ec1aa541b1ff5306171cb964ba0b1569fac09c9a9f7c11f191d700dee7359cc34e2c33fc73c7dedae3d8260cb355b1bcb07fc32451978a3f88144a2a17967468792fe257b0e4625ac0b27bd2df64186ca985d4a81bb6cdf2f248ee1bdbcd6780063b5fac03d56cb132aa83ab984b6ddc4acdb89d1ca1f8c594c9f6bbff9d5f26a29041136e995b2e827dc92c836ea029833f445de707275c729b1164e476a0eff75d7ddefab6f6f8ccc83bbfcd20108eb062bc26b0557c2f37a4ba8414c2207928b0f28eb254e6d35035067f086046aa92a6f1e28b6fe5c15328b1d97472d48649f7f8abd8b8c2c4475331738635861384919c2a2e3697d6f5017b02818100e8083bf531b0300594c8be37cbb9e5ccd6389d659f69150b5231df191c13ab579dfdbaa07a10a4ff08d6fd6c7e7e4d854db80b68aa1b673610b36f27fa063781fb2a7dd224d4f258cbf36d7d8a5a9699e2a0f82666da4a9e388fbc93ced6ce7ac5c871203b5e068ba2d8d4f73fd1fa0a75ad425ba4a5b8a9a3efb35901cfa96302818100b980df72dd7ae16b0e29eae696eac4c39cd5b36001d9781711a76836fe32c16ac20adfaf1079d840e64b29534a8f9fa525489aa9e256115db476e2df6bbf57dfa743da9afbacbe8926632ae6d8f2827bd645131419a3ffe97c2c331e8eeefc70df378be753a954cb39337ca7ed80080537b7fd33963d38b9aac385ad6bb7834f0281805acabe0b57820588698b9342e9e8b7cecb1424229b99d6ae335f6858beefc35fe9665b1c68271328e82097d1583dbbbfa985969141deaf282ca8c999eeef77d0d8a2ebd0cab0b8939e5a8641555dd50829f1aaa7fc1ef68baabe339ff29382ffef5c5b47ad7341446a58461ce9501472fb50ec6247aec0ef40428eff090264d90281804ce359baa68a743c87566082cb32ebf398620b435400eb81c4537b22b02221813a847f4a74adcc30ba4395116cea32e5a49a7f60c2eba1af1149e5a76d6595eaa1cdc2225306bac2e6225c79ea9a39f35250b723b1ad0439a6ba3b4603409369c55ba4a5714bd2559993f9ab3109cc493d5b099c043dc3f1511251aa1be7a889028181009cdaa29f87305fd41b9e0752e57a5667c679d00a263639a52258c4a553d79f5ff878f631397efee4712ee4f4f4e35585589c07caadebbdb02a48de2b92898ee0946d1837f38132d8d906c9e2cc685e208f99715dd56469f62ae095967291b724fead3972df3b31a7a1a7d8089a7b74bdff4814ecdbe437af40497bb533b566cd");

    /// <summary>RSA-PSS-2048 (id-RSASSA-PSS): self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    private static readonly Credential RsaPss = new("RSA-PSS-2048 (id-RSASSA-PSS)", "308203a530820258a00302010202145e0eb2965586f3e6d6c72a2148ca7873eb397ddd304206092a864886f70d01010a3035a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a204020200de301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c7330820120300b06092a864886f70d01010a0382010f003082010a0282010100b60e7a57757a947a30bf01ce64b585c676ad62ac2168d2d707061d1f272aba3e4fdbfc2245f4d84abe93d7548f214c82f84594de64eb65b537e1700b128dee447b58ab12751dd8da60666c6835ed1676f9bb603286bd77b0d5d2a17b36c9807b0feb315feae0ce64a16964caa6ff77a7a6ab62ea481d1f741dd3930886883201d2b42df65d0555d5427b1a0a3f0c0ac48df9ffcb511071e6c9ddcc99f5e1845d1b2271ee6e69e673ef3e2e0e83ca4d9052828d143e89c14f1672058f49221add88db86fee8125a5019c403c5368366ccff1cce32e4d17d15f37399877cbd414c68c96a99719a8cdc73e2fdd7f859271e0cea6f90e810bcced7121dfea0bbb4a50203010001a3733071301d0603551d0e04160414e25e010f3b6a6b23389abd13bc40c82649332777301f0603551d23041830168014e25e010f3b6a6b23389abd13bc40c82649332777300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73304206092a864886f70d01010a3035a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a204020200de03820101009d26a1669b48b6cca6c5d72a9d7970bd3fab3ba6e6f5654b5ed0af7ac9bccb287d13a477a89f053326675ca0b79bec2d3ba9966cab0fac926c8340cb245df9bab8bbfc96f8b9c918264c3a7bbe9bedd79b3f946ad84960161a80ba2ef3f77d2b7c88b12e68dd359f4d9f654e3012dc6d43b778400f48f013cc3c3f24bdc4405e424b640edd50749e712f1a178105b0681fbcf5ed7e5c404107ec5d48ad286e96725e76930cc70306db51e9408b671a774ea314b1d80442a882983b21a8e2c25cc8f2c8255881fa1668a603bee008f450e7af2372f8c104b46d1a9c4f7a95d50c82da3771718c8820ab5b187695a74eb8b8e1c9900d1d16a1b264ea24f8beea79", "308204bb020100300b06092a864886f70d01010a048204a7308204a30201000282010100b60e7a57757a947a30bf01ce64b585c676ad62ac2168d2d707061d1f272aba3e4fdbfc2245f4d84abe93d7548f214c82f84594de64eb65b537e1700b128dee447b58ab12751dd8da60666c6835ed1676f9bb603286bd77b0d5d2a17b36c9807b0feb315feae0ce64a16964caa6ff77a7a6ab62ea481d1f741dd3930886883201d2b42df65d0555d5427b1a0a3f0c0ac48df9ffcb511071e6c9ddcc99f5e1845d1b2271ee6e69e673ef3e2e0e83ca4d9052828d143e89c14f1672058f49221add88db86fee8125a5019c403c5368366ccff1cce32e4d17d15f37399877cbd414c68c96a99719a8cdc73e2fdd7f859271e0cea6f90e810bcced7121dfea0bbb4a50203010001028201000e5c7482a72a0101e58bffb6ba0386b6b9e06206fd88b10f14c702ef94ed9e2cf1ac4306aa198f215048c5c4ee187c9a5d3ed1e83c32447ee7d650fa129fdf12885f5d79528344faaefd8d622814d87f90a21b0bc94cb35f1ff2e2599fa00412511666b9f003854c735e26bd04b0e4cdb50c527c742d55f09934ba25c345059ab49d9ffbcec30fad2c253112a9defd2addb4edcebd1b8983bf4fd53fa0eae231e68ed4626a21979f090bd4e9d7bc8e8a07c9e78278c955c0454a527864a4df37f30a2ee4526fe43693eeb204d6d5f271bc01b9d4f667638f1e904cfe0320d2152f2bfd2128cbfad8758e9f08fa24db8361f74b5627320a3f6759ba43e5c42b7102818100e1fd11e998c255206fc158c35e2c4d79a3c3a3768d0ea60f55dcc84d936e1f31395c7d6f5107d638a0fd399bb4767d5bf58eb9b6603761a353680579a2801bdf1cc51b8462a992da5dcaefb9cecdc5a93fb83addd9500b4bcde1b2affb6bfd55b3f5d4a012965d9025d0b6a90e6fb5fe97f6a06eefa28c4d637bf3bb6fa6609502818100ce3bda2e475b61a713ff87527e4c97a0dc6e76fd1bf055b6751a0ed5dd8aa6aee244f94680687382b74702b3860838b5b0a7a6a1ee076026059678ecb49f01c9c22e904bac2284505a4bc09db0e257edef7a45d36e1ae1646dd265b18e2d050667522a72f18c4e13b8ddfe75c1015087104becdf11a369a40c457b15591dafd102818043ce7b216c0463266861cb1053a1575db8156b6696cc5e671b8c334d937ee73d0dc90299f3e63610a7bd531bb4fa18830f1ad3fe34c0693b683b3de95128bf34229dc1b3e7269a398b0ae903075a1684c1e9b53ffb8458df55d6f2967b09dbe96b25c7b67fdd3e1592431d8b7c1968b20b46a4bca48a512ea73af9d6b3996841028181009a6632e55ce4ec4a32eda6b93af74ab9d2ee1cc5482a79713d6081e4d994d94faaf52a8efec9b45913afe534d44ec96e35507eaf52ce50cc86786e1600efde5dd7b416b1a0b0c2d08999971e37f46d1224ad2d23aa961352a5e9d3dac76fab086d4815a1b2777168d089dadcfbdf6913853ee29aead0a5e17c927420ba7440510281806cc1269d4efb14448c0b58eb9e462aeb60f540106a74cccfbc4bfe5b4cddf932ca586b40ee004901da44452881d318d50b79f63de50fb2bb6cf974337ce0e9fac6a7948be5c7ab3c90faf857cf1e49635ac7bc9b74a59977b2bc8b4f34fb177d2e7598d8bfbe7c88f9701e4eb6b669972dbfddcf3c3f21b5a206b9ded3fca342");

    /// <summary>ECDSA P-256: self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    internal static readonly Credential P256 = new("ECDSA P-256", "308201b030820157a003020102021470b0ee45d6c6af6ffc8cc39600360a4cabae2cfd300a06082a8648ce3d040302301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c733059301306072a8648ce3d020106082a8648ce3d030107034200040e888820922300cd15d7fe4c176f94db2d112a056ef4fc22416dbbd83bf955b6868fbd364fa5b70813ad2406213087b90d874cc4667aec263271f09c9d1b8cb2a3733071301d0603551d0e041604145499e01e253c31b33ad7a12577b7f977ccaa8c75301f0603551d230418301680145499e01e253c31b33ad7a12577b7f977ccaa8c75300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300a06082a8648ce3d0403020347003044022019aa8e274cc056b5b558478563beb0e585439736f72e3c2c955ba8a24cf33062022018dbfecccc36f2fbf695ac8bab6fb29ebee35feeaa766bb89fbb0a2d741c40c4", "307702010104207e199dfc5dd5ef003782d7358d86f80b35791ae65a840eba8f5dbf018a744fc1a00a06082a8648ce3d030107a144034200040e888820922300cd15d7fe4c176f94db2d112a056ef4fc22416dbbd83bf955b6868fbd364fa5b70813ad2406213087b90d874cc4667aec263271f09c9d1b8cb2");

    /// <summary>ECDSA P-384: self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    private static readonly Credential P384 = new("ECDSA P-384", "308201ee30820174a0030201020214098ae4d10d9c61a553959d7623f2fd7e0e444e54300a06082a8648ce3d040302301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c733076301006072a8648ce3d020106052b81040022036200048237424dcbb4ca6b9bd19028eebec4e2ac95531ac07e723b4fa57a5086bf75d0c46f376392c3836e6e7e08c388dc47fc51d876859bce91283135dbc9a0b7699995438e4323a1c13c236446f273725bdbf21931c09d36bed2a874f76ba1681e0ea3733071301d0603551d0e0416041406db04ae1a02d8c9c14d4b2b654e0c2e7ed9fcac301f0603551d2304183016801406db04ae1a02d8c9c14d4b2b654e0c2e7ed9fcac300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300a06082a8648ce3d040302036800306502307ed8ba15fd655a15461e1f610898f4be43d181d672a64ed3de52bef4991a331b8f76b2c79f0b9e594a480d3288733a04023100eb254f71ee9230e58d93ad716d03023d7377230b562bea770879b03cd20a84c2dd8e100d83d982d8a53609dde6dfc091", "3081a402010104303b8392b9ca18a4e0b6a225043d8bebdef4325c6bfc0593e57d72e7141f2d3ea288c0545ec6547438e61ac068d406938aa00706052b81040022a164036200048237424dcbb4ca6b9bd19028eebec4e2ac95531ac07e723b4fa57a5086bf75d0c46f376392c3836e6e7e08c388dc47fc51d876859bce91283135dbc9a0b7699995438e4323a1c13c236446f273725bdbf21931c09d36bed2a874f76ba1681e0e");

    /// <summary>ECDSA P-521: self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    private static readonly Credential P521 = new("ECDSA P-521", "308202393082019aa00302010202143c6e00ddc5180135b9afe3d3c593c8474a3bd4e7300a06082a8648ce3d040302301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c7330819b301006072a8648ce3d020106052b8104002303818600040159cb143f15b4aea0a864fe9caf522a354942e05495b41d53ef050e4ae4c92e583fc4c8f46d849b93273dc3118dc3b2187c94b22fc219f3601a7b427cc1273247a3002860acb20a9a0627a0244e80bd7aae7d38f0669a4e47a8a38affd09c20fb1e7fd2f94f3f26dc1698426dc40329c2dbf7b0c56d03d4018218b67950b110868f18a6a3733071301d0603551d0e0416041401e9cc4e411d1b4aa0f55390864c4a957aa59202301f0603551d2304183016801401e9cc4e411d1b4aa0f55390864c4a957aa59202300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300a06082a8648ce3d04030203818c00308188024201e3ee555bc1a1556414b9f232426b7e795ba164ced46cbc76314cde2c0b2cb730f9cf34a878010fada67a6e82f9125547793660ed57d532d54896257ca9f4345d52024201fcc905ee05dd59c7a1f9735fe4487bdb30125d0b7bd99c6cd0243113f6558b0b6eac53a39ab7e101acf735b91c042eeb93ac75eaa04c902d0288319ff18ab1f74d", "3081dc020101044201ee07205aef77101dcd19ca937eb7ce2396bb0f480e5d9b580c0c9eeda1988b5c872bf3cb11aca8ece03543f618ff9baeb7fb2e105d210f083959f32db17b66fb2fa00706052b81040023a1818903818600040159cb143f15b4aea0a864fe9caf522a354942e05495b41d53ef050e4ae4c92e583fc4c8f46d849b93273dc3118dc3b2187c94b22fc219f3601a7b427cc1273247a3002860acb20a9a0627a0244e80bd7aae7d38f0669a4e47a8a38affd09c20fb1e7fd2f94f3f26dc1698426dc40329c2dbf7b0c56d03d4018218b67950b110868f18a6");

    /// <summary>Ed448: self-signed certificate for selftest.managedtls, and its PKCS#8 key.</summary>
    private static readonly Credential Ed448 = new("Ed448", "308201bc3082013ca003020102021413e4588f364024a99362959bb46f4b63057b7154300506032b6571301e311c301a06035504030c1373656c66746573742e6d616e61676564746c73301e170d3236313132333136303934305a170d3336313132303136303934305a301e311c301a06035504030c1373656c66746573742e6d616e61676564746c733043300506032b6571033a000b815fe37045bb5d0da9e9017969d95687152df5c5154578b1217afd930b47e9a04c60e3e0f3453a76058f41e227b558d2c311a5077160e100a3733071301d0603551d0e04160414741112e6d97707864ceab4efb20c51213b9b6abc301f0603551d23041830168014741112e6d97707864ceab4efb20c51213b9b6abc300f0603551d130101ff040530030101ff301e0603551d1104173015821373656c66746573742e6d616e61676564746c73300506032b6571037300e763b4d5d18afef13a7ab35ce4759f36e6ca9bf0fa6d68a813d873c76441fa7de6865f8101870845806992f29516c543cfa59220df86fd19806294c5ffe8f15cbb786e0c8712828357fb29c7005d4751ea69ca9618019a879fd9feb480af3265b10407992c3deeae9508ac01872a1b542f00", "3047020100300506032b6571043b043905ae78e9dee06d8ee4f5be2a47ce89cdb869dc22a8d34741ef7e5eeb0590b72fea29f12b4c9be68882d6af91937bca1b6089260da8061aa9ff");

    /// <summary>The Ed25519 credential of <see cref="ConnectionKnownAnswers"/>.</summary>
    private static readonly Credential Ed25519 = new("Ed25519", ConnectionKnownAnswers.CertificateHex, ConnectionKnownAnswers.KeyHex);

    public static IEnumerable<KnownAnswerTest> All()
    {
        CipherSuiteInfo aes128 = CipherSuiteRegistry.Find(TlsCipherSuite.TLS_AES_128_GCM_SHA256)!;
        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls13Suites)
        {
            yield return new($"TLS 1.3 handshake, suite {suite.IanaName}", () => Run(suite, KeyExchangeGroups.X25519, Ed25519, SignatureScheme.Ed25519));
        }

        foreach (KeyExchangeGroup group in KeyExchangeGroups.All)
        {
            yield return new($"TLS 1.3 handshake, group {group.Name}", () => Run(aes128, group, P256, SignatureScheme.EcdsaSecp256r1Sha256));
        }

        foreach (SignatureSchemeInfo scheme in ManagedTls.CipherSuites.SignatureSchemes.All.Where(s => s.Tls13))
        {
            yield return new($"TLS 1.3 handshake, signature {scheme.Name}", () => Run(aes128, KeyExchangeGroups.X25519, CredentialFor(scheme.Algorithm), scheme.Scheme));
        }

        foreach (CipherSuiteInfo suite in CipherSuiteRegistry.Tls12Suites)
        {
            bool rsa = suite.Authentication.Algorithm == AuthenticationAlgorithm.Rsa;
            KeyExchangeGroup group = suite.KeyExchange.Algorithm == SuiteKeyExchange.Dhe ? KeyExchangeGroups.Ffdhe2048 : KeyExchangeGroups.X25519;
            SignatureScheme scheme = rsa ? SignatureScheme.RsaPssRsaeSha256 : SignatureScheme.EcdsaSecp256r1Sha256;
            yield return new($"TLS 1.2 handshake, suite {suite.IanaName}", () => Run(suite, group, rsa ? Rsa : P256, scheme, tls12: true));
        }

        CipherSuiteInfo tls12Gcm = CipherSuiteRegistry.Find(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
        yield return new("TLS 1.2 handshake with DEFLATE compression (RFC 3749)", () =>
            Run(tls12Gcm, KeyExchangeGroups.X25519, P256, SignatureScheme.EcdsaSecp256r1Sha256, tls12: true, compression: true));
    }

    private static Credential CredentialFor(SignatureAlgorithm algorithm) => algorithm.Key switch
    {
        KeyKind.Rsa => Rsa,
        KeyKind.RsaPss => RsaPss,
        KeyKind.Ed25519 => Ed25519,
        KeyKind.Ed448 => Ed448,
        _ => algorithm.Curve switch
        {
            EcCurve.P256 => P256,
            EcCurve.P384 => P384,
            _ => P521,
        },
    };

    private static void Run(CipherSuiteInfo suite, KeyExchangeGroup group, Credential credential, SignatureScheme scheme, bool tls12 = false, bool compression = false)
    {
        byte[] certificate = CryptoUtil.FromHex(credential.CertificateHex);
        var when = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        ProtocolVersion version = tls12 ? ProtocolVersion.Tls12 : ProtocolVersion.Tls13;
        var client = new TlsConfig
        {
            Role = TlsRole.Client,
            MinimumVersion = version,
            MaximumVersion = version,
            CipherSuites = tls12 ? [] : [suite],
            Tls12CipherSuites = tls12 ? [suite] : [],
            // A TLS 1.2 server's ECDSA certificate must be on a curve the client lists (RFC 8422 section 5.1, as OpenSSL).
            Groups = tls12 && group != KeyExchangeGroups.Secp256r1 ? [group, KeyExchangeGroups.Secp256r1] : [group],
            SignatureSchemes = [scheme],
            Trust = new TrustStore([certificate]),
            ServerName = ServerName,
            CheckHostname = true,
            Clock = () => when,
            Compression = compression,
        };
        var server = new TlsConfig
        {
            Role = TlsRole.Server,
            MinimumVersion = version,
            MaximumVersion = version,
            CipherSuites = tls12 ? [] : [suite],
            Tls12CipherSuites = tls12 ? [suite] : [],
            Groups = [group],
            CertificateChain = [certificate],
            PrivateKey = PrivateKey.FromDer(CryptoUtil.FromHex(credential.KeyHex)),
            Clock = () => when,
            Compression = compression,
        };
        using TlsConnection c = TlsConnection.CreateClient(client);
        using TlsConnection s = TlsConnection.CreateServer(server);
        for (int round = 0; round < 6 && (c.HasOutgoing || s.HasOutgoing); round++)
        {
            Move(c, s);
            Move(s, c);
        }

        KnownAnswerTest.Check(c.IsHandshakeComplete && s.IsHandshakeComplete, "handshake did not complete");
        KnownAnswerTest.Check(c.CipherSuite == suite && s.CipherSuite == suite, $"suite: client {c.CipherSuite}, server {s.CipherSuite}");
        KnownAnswerTest.Check(c.Version == version && s.Version == version, $"version: client {c.Version}, server {s.Version}");
        bool keyTransport = suite.KeyExchange.Algorithm == SuiteKeyExchange.Rsa;
        KnownAnswerTest.Check(keyTransport || (c.NamedGroup == group.Group && s.NamedGroup == group.Group), $"group: client {c.NamedGroup}, server {s.NamedGroup}");
        KnownAnswerTest.Check(keyTransport || (c.SignatureScheme == scheme && s.SignatureScheme == scheme), $"signature scheme: client {c.SignatureScheme}, server {s.SignatureScheme}");
        KnownAnswerTest.Check(c.VerifyResult is { IsValid: true }, "the client did not verify the server's certificate");
        CompressionMethod expected = compression ? CompressionMethod.Deflate : CompressionMethod.Null;
        KnownAnswerTest.Check(c.Compression == expected && s.Compression == expected, $"compression: client {c.Compression}, server {s.Compression}");

        byte[] ping = [0x70, 0x69, 0x6e, 0x67];
        c.WriteApplicationData(ping);
        Move(c, s);
        byte[] got = new byte[8];
        int n = s.ReadApplicationData(got);
        KnownAnswerTest.Check(got.AsSpan(0, n).SequenceEqual(ping), "client to server data differs");
        s.WriteApplicationData(got.AsSpan(0, n));
        Move(s, c);
        n = c.ReadApplicationData(got);
        KnownAnswerTest.Check(got.AsSpan(0, n).SequenceEqual(ping), "server to client data differs");
    }

    private static void Move(TlsConnection from, TlsConnection to)
    {
        byte[] bytes = new byte[from.OutgoingLength];
        from.TakeOutgoing(bytes);
        to.ReceiveBytes(bytes);
    }

    internal sealed record Credential(string Name, string CertificateHex, string KeyHex);
}
