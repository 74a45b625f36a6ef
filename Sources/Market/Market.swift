enum MarketModule {}
