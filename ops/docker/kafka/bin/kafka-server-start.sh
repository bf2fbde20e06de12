#!/bin/sh
# A broker (or controller) with the given server.properties, as the distribution's script runs it.
exec java ${KAFKA_HEAP_OPTS:--Xmx1g} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' kafka.Kafka "$@"
