enum AgentsModule {}
