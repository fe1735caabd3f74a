export declare const RESULTS_DIR: string;
