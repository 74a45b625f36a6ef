enum WireProtocolModule {}
