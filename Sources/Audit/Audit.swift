enum AuditModule {}
