enum LearningModule {}
