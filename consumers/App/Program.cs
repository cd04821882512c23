return ManagedTls.Consumers.ConsumerCheck.Run(args);
