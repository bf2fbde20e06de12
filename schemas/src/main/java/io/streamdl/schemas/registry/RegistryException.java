package io.streamdl.schemas.registry;

/**
 * A refusal or failure from a schema registry, with Confluent's HTTP status and error code (40101
 * not authenticated, 40301 forbidden, 40401 subject not found, 40402 version not found, 40403
 * schema not found, 409 incompatible, 42201 invalid schema, 42203 invalid compatibility level,
 * 50001 store error). Status 0 means the registry could not be reached.
 */
public class RegistryException extends RuntimeException {
    public static final int UNAUTHORIZED = 40101;
    public static final int FORBIDDEN = 40301;
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int STORE_ERROR = 50001;
    public static final int UNREACHABLE = 0;

    private final int httpStatus;
    private final int errorCode;

    public RegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public RegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    public boolean notFound() {
        return httpStatus == 404;
    }
}
