#!/bin/sh
# Kafka's storage tool, as the distribution's script of the same name runs it.
exec java -Xmx256m -Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties \
  -cp '/opt/kafka/libs/*' kafka.tools.StorageTool "$@"
